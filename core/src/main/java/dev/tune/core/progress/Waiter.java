package dev.tune.core.progress;

import dev.tune.core.ResourceRef;
import dev.tune.core.error.TuneTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls a resource until it is done, telling a {@link ProgressListener} each time its state or
 * status message changes.
 */
public final class Waiter {
  private final Duration pollInterval;

  /** What one poll saw: the state's name and the provider's status message. */
  public record Observation(String state, Optional<String> message) {
    public Observation {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(message, "message");
    }
  }

  public Waiter(Duration pollInterval) {
    if (pollInterval.isNegative()) {
      throw new IllegalArgumentException("poll interval must not be negative: " + pollInterval);
    }
    this.pollInterval = pollInterval;
  }

  /** How long it sleeps between polls. */
  public Duration pollInterval() {
    return pollInterval;
  }

  /**
   * Polls until {@code done} holds for the latest description and returns it.
   *
   * @param resource what is waited for, for events and messages
   * @param poll fetches a fresh description
   * @param observe reads state and message from a description
   * @param done whether a description is final
   * @param listener told about every change, the first poll included
   * @param timeout give up after this long; empty waits as long as it takes
   * @throws TuneTimeoutException when the timeout passes first
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public <D> D await(
      ResourceRef resource,
      Supplier<D> poll,
      Function<D, Observation> observe,
      Predicate<D> done,
      ProgressListener listener,
      Optional<Duration> timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    Observation last = null;
    while (true) {
      D description = poll.get();
      Observation now = observe.apply(description);
      if (!now.equals(last)) {
        listener.onEvent(new StateChanged(Instant.now(), resource, now.state(), now.message()));
        last = now;
      }
      if (done.test(description)) {
        return description;
      }
      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      if (timeout.isPresent() && waited.compareTo(timeout.get()) >= 0) {
        throw new TuneTimeoutException(
            "Stopped waiting for "
                + resource
                + " after "
                + timeout.get()
                + "; it is still "
                + now.state()
                + ".",
            "It goes on without you; look at it later by its id ("
                + resource.id()
                + "), or wait longer.");
      }
      Duration pause = pollInterval;
      if (timeout.isPresent() && timeout.get().minus(waited).compareTo(pause) < 0) {
        pause = timeout.get().minus(waited);
      }
      Thread.sleep(pause);
    }
  }
}
