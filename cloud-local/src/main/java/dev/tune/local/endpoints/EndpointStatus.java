package dev.tune.local.endpoints;

import dev.tune.core.endpoint.EndpointState;
import java.util.Objects;
import java.util.Optional;

/**
 * What a local endpoint is doing now, found by looking at its process and asking its health route.
 *
 * @param record what {@code endpoint.json} says
 * @param state serving, still loading, or dead
 * @param message why it failed, or what it waits for
 */
public record EndpointStatus(EndpointRecord record, EndpointState state, Optional<String> message) {
  public EndpointStatus {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(message, "message");
  }
}
