package dev.tune.core.error;

/**
 * A quota, limit or capacity shortage: no accelerators left, spot capacity reclaimed, too many
 * endpoints.
 */
public class QuotaException extends TuneException {
  public QuotaException(String message, String fix) {
    super(message, fix);
  }

  public QuotaException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }

  @Override
  public final ErrorKind kind() {
    return ErrorKind.QUOTA;
  }
}
