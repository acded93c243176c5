package dev.tune.container.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/** Which application layer a classpath entry goes to. */
enum ClasspathEntryKind {
  /** Third-party jars: they change when a dependency version does, rarely. */
  DEPENDENCY,
  /** tune's own jars ({@code dev.tune:*}) and class directories: they change with every edit. */
  PROJECT;

  private static final String PROJECT_POM_PREFIX = "META-INF/maven/dev.tune/";

  /**
   * A directory is a build's output, so ours; a jar is ours when Maven stamped it with the {@code
   * dev.tune} group (its {@code META-INF/maven/dev.tune/*}), or, unstamped, when it is named {@code
   * tune-*}.
   */
  static ClasspathEntryKind of(Path entry) {
    if (Files.isDirectory(entry)) {
      return PROJECT;
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      boolean stamped = jar.stream().anyMatch(e -> e.getName().startsWith("META-INF/maven/"));
      if (stamped) {
        return jar.stream().anyMatch(e -> e.getName().startsWith(PROJECT_POM_PREFIX))
            ? PROJECT
            : DEPENDENCY;
      }
      return entry.getFileName().toString().startsWith("tune-") ? PROJECT : DEPENDENCY;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the jar " + entry, e);
    }
  }
}
