package dev.tune.core.error;

/** Waiting for an operation took longer than allowed; the operation itself may still be running. */
public class TuneTimeoutException extends TuneException {
  public TuneTimeoutException(String message, String fix) {
    super(message, fix);
  }

  public TuneTimeoutException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.TIMEOUT;
  }
}
