package dev.tune.core.error;

/** The request or configuration is wrong: a bad value, a missing field, a malformed URI. */
public class BadInputException extends TuneException {
  public BadInputException(String message, String fix) {
    super(message, fix);
  }

  public BadInputException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.BAD_INPUT;
  }
}
