package dev.tune.container.image;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The application classpath that goes into the image, taken from the running process.
 *
 * <p>The {@code tune} CLI depends on {@code tune-container}, so its own classpath holds every jar
 * that {@code ContainerMain} needs at run time (plus a few CLI-only jars, which cost some megabytes
 * but no correctness). Reading it at run time, rather than from a list written at build time, works
 * the same from {@code java -jar tune.jar} (the jar's manifest {@code Class-Path} is followed),
 * from Maven's test classpath and from an IDE. Two kinds of entry are left out: DJL's CPU-only
 * libtorch ({@code pytorch-native-*}), because the image's base brings the CUDA libtorch that
 * {@code PYTORCH_LIBRARY_PATH} points at, and entries that do not exist.
 */
public final class AppClasspath {
  private AppClasspath() {}

  /** This process's classpath ({@code java.class.path}, manifests followed), filtered. */
  public static List<Path> ofThisProcess() {
    List<Path> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(Path.of(entry));
      }
    }
    return of(entries);
  }

  /** {@code entries} with their manifests' {@code Class-Path} followed, filtered, in order. */
  public static List<Path> of(List<Path> entries) {
    Set<Path> seen = new LinkedHashSet<>();
    for (Path entry : entries) {
      add(entry.toAbsolutePath().normalize(), seen);
    }
    return seen.stream().filter(AppClasspath::belongsInImage).toList();
  }

  private static void add(Path entry, Set<Path> seen) {
    if (!Files.exists(entry) || !seen.add(entry)) {
      return;
    }
    if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
      for (Path referenced : manifestClassPath(entry)) {
        add(referenced, seen);
      }
    }
  }

  private static List<Path> manifestClassPath(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String classPath =
          manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (classPath == null || classPath.isBlank()) {
        return List.of();
      }
      List<Path> referenced = new ArrayList<>();
      // Class-Path entries are URLs, relative to the jar's folder or absolute (file:/...).
      java.net.URI folder = jar.toAbsolutePath().getParent().toUri();
      for (String url : classPath.trim().split("\\s+")) {
        java.net.URI resolved = folder.resolve(url);
        if ("file".equals(resolved.getScheme())) {
          referenced.add(Path.of(resolved).normalize());
        }
      }
      return referenced;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the manifest of " + jar, e);
    }
  }

  static boolean belongsInImage(Path entry) {
    return !entry.getFileName().toString().startsWith("pytorch-native-");
  }
}
