package dev.tune.core.storage.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How often and how patiently a request is repeated after a 408, 429 or 5xx answer or a broken
 * connection: exponential backoff from {@code baseDelay}, or the server's {@code Retry-After},
 * never longer than {@code maxDelay} per wait.
 *
 * @param maxAttempts tries in all, the first included; 1 never retries
 * @param baseDelay the wait before the second try
 * @param maxDelay the longest wait, whatever the server asks for
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
  public RetryPolicy {
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (baseDelay.isNegative() || maxDelay.isNegative()) {
      throw new IllegalArgumentException("retry delays must not be negative");
    }
  }

  /** Five tries, waiting 0.5 s, 1 s, 2 s, 4 s, or what the server asks up to 30 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  /** One try, no retry. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /**
   * How long to wait before try number {@code attempt} (2 for the first retry).
   *
   * @param retryAfter what the server asked for, if it did
   */
  public Duration delayBefore(int attempt, Optional<Duration> retryAfter) {
    Duration wanted =
        retryAfter.orElseGet(() -> baseDelay.multipliedBy(1L << Math.min(attempt - 2, 20)));
    if (wanted.isNegative()) {
      return Duration.ZERO;
    }
    return wanted.compareTo(maxDelay) > 0 ? maxDelay : wanted;
  }
}
