package dev.tune.core.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A local directory tree: the regular files below it, named as an upload names them remotely, and
 * removing it.
 */
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

  /** Removes {@code dir} and everything below it; nothing if it does not exist. */
  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** {@link #delete}, leaving what cannot be removed; for leftovers nothing reads any more. */
  public static void deleteQuietly(Path dir) {
    try {
      delete(dir);
    } catch (IOException e) {
      // harmless: the caller no longer refers to it
    }
  }

  private static String relativePath(Path dir, Path file) {
    List<String> parts = new ArrayList<>();
    for (Path part : dir.relativize(file)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }
}
