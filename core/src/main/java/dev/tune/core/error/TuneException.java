package dev.tune.core.error;

import java.util.Objects;

/**
 * The one exception family of tune. Every failure a user can act on is a subtype of this class and
 * carries two texts: {@link #getMessage() what went wrong} and {@link #fix() what to do about it}.
 * The subtype decides the {@link #kind() kind}, and with it the CLI exit code.
 */
public abstract class TuneException extends RuntimeException {
  private final String fix;

  protected TuneException(String message, String fix) {
    this(message, fix, null);
  }

  protected TuneException(String message, String fix, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.fix = Objects.requireNonNull(fix, "fix");
  }

  /** What the user can do about it, in one or two sentences. */
  public String fix() {
    return fix;
  }

  /** The kind of failure. */
  public abstract ErrorKind kind();

  /** The exit code the {@code tune} command ends with for this failure. */
  public int exitCode() {
    return kind().exitCode();
  }
}
