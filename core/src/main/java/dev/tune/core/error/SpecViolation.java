package dev.tune.core.error;

import java.util.Objects;

/**
 * One broken rule of a spec value.
 *
 * @param key the field, spelled as in {@code tune.yaml} relative to the spec (e.g. {@code
 *     learning_rate}), so that the config loader can point at the line that set it
 * @param value the rejected value, as text
 * @param expected what is allowed, e.g. {@code a number > 0}
 */
public record SpecViolation(String key, String value, String expected) {
  /** The value of a violation that a required field is not set. */
  public static final String MISSING = "(missing)";

  public SpecViolation {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(expected, "expected");
  }

  /** A required field that is not set. */
  public static SpecViolation missing(String key, String expected) {
    return new SpecViolation(key, MISSING, expected);
  }

  /** Whether this says a required field is not set. */
  public boolean isMissing() {
    return MISSING.equals(value);
  }

  @Override
  public String toString() {
    return key + " = " + value + " (expected " + expected + ")";
  }
}
