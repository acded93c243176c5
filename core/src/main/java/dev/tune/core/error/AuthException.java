package dev.tune.core.error;

/** Credentials are missing, expired or not allowed to do what was asked. */
public class AuthException extends TuneException {
  public AuthException(String message, String fix) {
    super(message, fix);
  }

  public AuthException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.AUTH;
  }
}
