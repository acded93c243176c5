package dev.tune.core.progress;

import dev.tune.core.ResourceRef;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The resource reached a new state, or the provider's status message for it changed.
 *
 * @param time when it was observed
 * @param resource the job or endpoint
 * @param state the new state's name, e.g. {@code RUNNING}
 * @param message the provider's detail, e.g. {@code Downloading the training image}
 */
public record StateChanged(
    Instant time, ResourceRef resource, String state, Optional<String> message)
    implements ProgressEvent {
  public StateChanged {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(message, "message");
  }
}
