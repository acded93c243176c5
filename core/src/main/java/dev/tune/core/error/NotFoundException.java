package dev.tune.core.error;

/** The named job, model, endpoint, artifact or provider does not exist. */
public class NotFoundException extends TuneException {
  public NotFoundException(String message, String fix) {
    super(message, fix);
  }

  public NotFoundException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
