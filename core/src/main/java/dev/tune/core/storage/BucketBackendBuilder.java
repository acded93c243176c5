package dev.tune.core.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every object-store backend ({@code s3://}, {@code gs://}) takes alike: where fetches
 * without a destination put files and how often a request or a broken download is tried. The
 * backend's builder extends this one.
 *
 * @param <B> the backend's own builder, returned by each setter so that calls chain
 */
public abstract class BucketBackendBuilder<B extends BucketBackendBuilder<B>> {
  private Path cacheDir;
  private int maxAttempts = 5;
  private Duration retryBaseDelay;

  /**
   * @param cacheName the cache's directory below {@code ~/.cache/tune}, e.g. {@code s3}
   * @param retryBaseDelay the first wait before a retry unless {@link #retries} sets another
   */
  protected BucketBackendBuilder(String cacheName, Duration retryBaseDelay) {
    this.cacheDir = Path.of(System.getProperty("user.home"), ".cache", "tune", cacheName);
    this.retryBaseDelay = retryBaseDelay;
  }

  /** This builder, as the backend's own type. */
  protected abstract B self();

  public B cacheDir(Path dir) {
    this.cacheDir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    return self();
  }

  /**
   * Tries in all for a request that failed for a reason that may pass (throttling, a 5xx, a broken
   * connection; the first try included), and for resuming a download that broke; waits grow from
   * {@code baseDelay}.
   */
  public B retries(int maxAttempts, Duration baseDelay) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    this.retryBaseDelay = Objects.requireNonNull(baseDelay, "baseDelay");
    return self();
  }

  /** Where fetches without a destination put files. */
  public final Path cacheDir() {
    return cacheDir;
  }

  /** Tries in all, the first included. */
  public final int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before the first retry. */
  public final Duration retryBaseDelay() {
    return retryBaseDelay;
  }
}
