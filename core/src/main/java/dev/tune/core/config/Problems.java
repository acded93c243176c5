package dev.tune.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Collects the problems of one file as they are found, to report them all at once. */
final class Problems {
  private final String file;
  private final List<ConfigProblem> found = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  void add(
      String path,
      Location at,
      Optional<String> value,
      String message,
      String allowed,
      Optional<String> suggestion) {
    found.add(
        new ConfigProblem(file, path, at.line(), at.column(), value, message, allowed, suggestion));
  }

  void add(String path, Location at, Optional<String> value, String message, String allowed) {
    add(path, at, value, message, allowed, Optional.empty());
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  /** Throws the collected problems, ordered by position, if there are any. */
  void throwIfAny() {
    if (!found.isEmpty()) {
      List<ConfigProblem> sorted = new ArrayList<>(found);
      sorted.sort(
          Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
      throw new InvalidConfigException(file, sorted);
    }
  }
}
