package dev.tune.core.error;

/** The request conflicts with the current state, such as a name already in use. */
public class ConflictException extends TuneException {
  public ConflictException(String message, String fix) {
    super(message, fix);
  }

  public ConflictException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.CONFLICT;
  }
}
