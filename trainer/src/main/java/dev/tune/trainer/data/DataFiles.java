package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns what the user named (files, directories, globs such as {@code data/train-*.parquet}) into
 * the data files to read, in a stable order: as listed, and sorted by path within a directory or
 * glob. Directories are searched recursively for files of a known extension; names starting with
 * {@code .} or {@code _} (hidden files, Spark's {@code _SUCCESS} markers) are left out.
 */
public final class DataFiles {

  private DataFiles() {}

  /**
   * @throws BadInputException if a name matches nothing or names a file of an unknown format
   */
  public static List<Path> resolve(List<String> names) {
    if (names.isEmpty()) {
      throw new BadInputException(
          "No data files were given.", "Name a data file, a directory or a glob.");
    }
    List<Path> files = new ArrayList<>();
    for (String name : names) {
      files.addAll(resolve(name));
    }
    return List.copyOf(files);
  }

  /** The files one name stands for. */
  public static List<Path> resolve(String name) {
    if (isGlob(name)) {
      return glob(name);
    }
    Path path = Path.of(name);
    if (Files.isDirectory(path)) {
      List<Path> found = walk(path, p -> true);
      if (found.isEmpty()) {
        throw new BadInputException(
            "The directory " + path + " holds no data files.",
            "Put files with one of " + FileFormat.EXTENSIONS + " in it.");
      }
      return found;
    }
    if (!Files.exists(path)) {
      throw new BadInputException(
          "Data file " + path + " does not exist.", "Check the path in data.train / data.eval.");
    }
    FileFormat.of(path);
    return List.of(path);
  }

  private static boolean isGlob(String name) {
    return name.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  private static List<Path> glob(String pattern) {
    Path full = Path.of(pattern).toAbsolutePath().normalize();
    Path base = full.getRoot();
    for (Path part : full) {
      if (isGlob(part.toString())) {
        break;
      }
      base = base.resolve(part);
    }
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + full.toString().replace("\\", "\\\\"));
    List<Path> found = Files.isDirectory(base) ? walk(base, matcher) : List.of();
    if (found.isEmpty()) {
      throw new BadInputException(
          "No data files match " + pattern + ".",
          "Check the pattern; it must match files with one of " + FileFormat.EXTENSIONS + ".");
    }
    return found;
  }

  private static List<Path> walk(Path dir, PathMatcher keep) {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths
          .filter(Files::isRegularFile)
          .filter(p -> !isHidden(dir, p))
          .filter(FileFormat::isDataFile)
          .filter(p -> keep.matches(p.toAbsolutePath().normalize()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static boolean isHidden(Path dir, Path file) {
    for (Path part : dir.relativize(file)) {
      if (part.toString().startsWith(".") || part.toString().startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
