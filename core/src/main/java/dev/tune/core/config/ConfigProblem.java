package dev.tune.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing wrong with a {@code tune.yaml}.
 *
 * @param file the file as the user named it
 * @param path the key path, e.g. {@code training.learning_rate}; empty for the whole file
 * @param line 1-based line of the offending key or value
 * @param column 1-based column of the offending key or value
 * @param value the offending value as written; empty when the key is missing; {@code ****} when it
 *     came from an environment variable
 * @param message what is wrong, e.g. {@code is not a number}
 * @param allowed what would be accepted, e.g. {@code a number > 0}
 * @param suggestion the likely intended spelling, for unknown keys and enum values
 */
public record ConfigProblem(
    String file,
    String path,
    int line,
    int column,
    Optional<String> value,
    String message,
    String allowed,
    Optional<String> suggestion) {

  public ConfigProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(allowed, "allowed");
    Objects.requireNonNull(suggestion, "suggestion");
  }

  /**
   * The problem on one line, compiler style: {@code tune.yaml:12:18: training.learning_rate: "abc"
   * is not a number; allowed: a number > 0}.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(file).append(':').append(line).append(':').append(column).append(": ");
    if (!path.isEmpty()) {
      s.append(path).append(": ");
    }
    value.ifPresent(v -> s.append(quote(v)).append(' '));
    s.append(message);
    suggestion.ifPresent(v -> s.append("; did you mean '").append(v).append("'?"));
    if (!allowed.isEmpty()) {
      s.append(" (allowed: ").append(allowed).append(')');
    }
    return s.toString();
  }

  private static String quote(String value) {
    String shown = value.length() > 60 ? value.substring(0, 57) + "..." : value;
    return '"' + shown.replace("\n", "\\n") + '"';
  }
}
