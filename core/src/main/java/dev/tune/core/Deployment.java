package dev.tune.core;

import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.Waiter;
import dev.tune.core.provider.ProviderClient;
import java.time.Duration;
import java.util.Optional;

/** A handle on an endpoint being created: wait until it serves. */
public final class Deployment {
  private final EndpointRef ref;
  private final ProviderClient client;
  private final Waiter waiter;

  Deployment(EndpointRef ref, ProviderClient client, Waiter waiter) {
    this.ref = ref;
    this.client = client;
    this.waiter = waiter;
  }

  public EndpointRef ref() {
    return ref;
  }

  /** A fresh description from the provider. */
  public EndpointDescription describe() {
    return client.describeEndpoint(ref);
  }

  /** The endpoint's current state, asked of the provider. */
  public EndpointState state() {
    return describe().state();
  }

  /**
   * Waits until the endpoint serves.
   *
   * @return the description of the serving endpoint
   * @throws RemoteFailureException if the endpoint failed to start
   */
  public EndpointDescription await(ProgressListener listener) throws InterruptedException {
    return await(listener, Optional.empty());
  }

  /**
   * Waits at most {@code timeout} until the endpoint serves.
   *
   * @return the description of the serving endpoint
   * @throws RemoteFailureException if the endpoint failed to start
   * @throws dev.tune.core.error.TuneTimeoutException if it is not serving after {@code timeout};
   *     the deployment goes on
   */
  public EndpointDescription await(ProgressListener listener, Duration timeout)
      throws InterruptedException {
    return await(listener, Optional.of(timeout));
  }

  private EndpointDescription await(ProgressListener listener, Optional<Duration> timeout)
      throws InterruptedException {
    EndpointDescription last =
        waiter.await(
            ref,
            this::describe,
            d -> new Waiter.Observation(d.state().name(), d.message()),
            d -> d.state().isSettled(),
            listener,
            timeout);
    if (last.state() == EndpointState.FAILED) {
      throw new RemoteFailureException(
          "Endpoint " + ref + " failed to start" + last.message().map(m -> ": " + m).orElse("."),
          "Check that the machine type has enough GPU memory for the model, then delete the"
              + " endpoint and deploy again.");
    }
    return last;
  }

  @Override
  public String toString() {
    return "Deployment[" + ref + "]";
  }
}
