package dev.tune.core.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The regular files below a local directory, named as an upload names them remotely. */
public final class LocalTree {
  private LocalTree() {}

  /**
   * The regular files below {@code dir} (links followed), by path relative to it, {@code
   * /}-separated on every platform, sorted.
   *
   * @throws dev.tune.core.error.TuneException if the directory cannot be read
   */
  public static Map<String, Path> files(Path dir) {
    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(p -> files.put(relativePath(dir, p), p));
    } catch (IOException e) {
      throw LocalFiles.failure("reading " + dir, e);
    } catch (UncheckedIOException e) {
      throw LocalFiles.failure("reading " + dir, e.getCause());
    }
    return files;
  }

  private static String relativePath(Path dir, Path file) {
    List<String> parts = new ArrayList<>();
    for (Path part : dir.relativize(file)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }
}
