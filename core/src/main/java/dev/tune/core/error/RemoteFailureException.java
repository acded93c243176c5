package dev.tune.core.error;

/**
 * The remote service or the remote job failed (a training job that ended in FAILED, a 5xx that
 * outlived the retries).
 */
public class RemoteFailureException extends TuneException {
  public RemoteFailureException(String message, String fix) {
    super(message, fix);
  }

  public RemoteFailureException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.REMOTE_FAILURE;
  }
}
