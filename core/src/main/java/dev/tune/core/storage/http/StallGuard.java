package dev.tune.core.storage.http;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that has sent nothing for too long. The HTTP client's timeout covers only
 * the wait for an answer's headers, so a connection that stalls mid-body would otherwise block a
 * download forever; closed, the blocked read fails and the download is retried and resumed.
 */
final class StallGuard implements AutoCloseable {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("tune-http-stall-guard").daemon().factory());

  private final InputStream body;
  private final long limitNanos;
  private final ScheduledFuture<?> check;
  private volatile long lastProgress;
  private volatile boolean fired;

  StallGuard(InputStream body, Duration limit) {
    this.body = body;
    this.limitNanos = limit.toNanos();
    this.lastProgress = System.nanoTime();
    long period = Math.max(limitNanos / 4, TimeUnit.MILLISECONDS.toNanos(10));
    this.check = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.NANOSECONDS);
  }

  /** Bytes arrived. */
  void progressed() {
    lastProgress = System.nanoTime();
  }

  /** Whether it closed the body because nothing arrived. */
  boolean fired() {
    return fired;
  }

  private void check() {
    if (!fired && System.nanoTime() - lastProgress > limitNanos) {
      fired = true;
      try {
        body.close();
      } catch (IOException e) {
        // The reader fails either way; what matters is that its read returns.
        check.cancel(false);
      }
    }
  }

  @Override
  public void close() {
    check.cancel(false);
  }
}
