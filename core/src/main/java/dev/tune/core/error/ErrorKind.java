package dev.tune.core.error;

import java.util.Locale;

/**
 * What kind of failure a {@link TuneException} is, and the process exit code the {@code tune}
 * command uses for it. Scripts branch on the exit code, so the numbers are part of the public
 * contract and never change.
 */
public enum ErrorKind {
  /** The request or the configuration is wrong; the user fixes the input. */
  BAD_INPUT(2),
  /** Missing or rejected credentials. */
  AUTH(3),
  /** The named job, model, endpoint or artifact does not exist. */
  NOT_FOUND(4),
  /** A quota, limit or capacity shortage (no GPUs in the zone, spot capacity gone). */
  QUOTA(5),
  /**
   * The request conflicts with the current state (a name already taken, a job already finished).
   * Like bad input, the user changes the request, so it shares that exit code.
   */
  CONFLICT(2),
  /** The remote service or the remote job failed. */
  REMOTE_FAILURE(6),
  /** Waiting for an operation took longer than allowed. */
  TIMEOUT(7);

  private final int exitCode;

  ErrorKind(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The process exit code of the {@code tune} command for this kind of failure. */
  public int exitCode() {
    return exitCode;
  }

  /** The stable, lower-case name used in JSON error documents, e.g. {@code bad_input}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
