package dev.tune.core;

import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.Waiter;
import dev.tune.core.provider.ProviderClient;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** A handle on a submitted training job: wait for it, read its log, cancel it. */
public final class TrainingJob {
  private final JobRef ref;
  private final ProviderClient client;
  private final Waiter waiter;

  TrainingJob(JobRef ref, ProviderClient client, Waiter waiter) {
    this.ref = ref;
    this.client = client;
    this.waiter = waiter;
  }

  public JobRef ref() {
    return ref;
  }

  /** A fresh description from the provider. */
  public JobDescription describe() {
    return client.describeJob(ref);
  }

  /** The job's current state, asked of the provider. */
  public JobState state() {
    return describe().state();
  }

  /** Asks the provider to stop the job. */
  public void cancel() {
    client.cancelJob(ref);
  }

  /** Hands the job's log lines to {@code sink}; with {@code follow}, until the job ends. */
  public void logs(boolean follow, Consumer<LogLine> sink) throws InterruptedException {
    client.streamLogs(ref, follow, sink);
  }

  /**
   * Waits until the job succeeds.
   *
   * @return the final description
   * @throws RemoteFailureException if the job failed or was cancelled
   */
  public JobDescription await(ProgressListener listener) throws InterruptedException {
    return await(listener, Optional.empty());
  }

  /**
   * Waits at most {@code timeout} for the job to succeed.
   *
   * @return the final description
   * @throws RemoteFailureException if the job failed or was cancelled
   * @throws dev.tune.core.error.TuneTimeoutException if it is still running after {@code timeout};
   *     the job goes on
   */
  public JobDescription await(ProgressListener listener, Duration timeout)
      throws InterruptedException {
    return await(listener, Optional.of(timeout));
  }

  private JobDescription await(ProgressListener listener, Optional<Duration> timeout)
      throws InterruptedException {
    JobDescription last =
        waiter.await(
            ref,
            this::describe,
            d -> new Waiter.Observation(d.state().name(), d.message()),
            d -> d.state().isTerminal(),
            listener,
            timeout);
    return switch (last.state()) {
      case SUCCEEDED -> last;
      case FAILED ->
          throw new RemoteFailureException(
              "Training job " + ref + " failed" + last.message().map(m -> ": " + m).orElse("."),
              "Read the job's log for the cause: tune jobs logs " + ref.id());
      default ->
          throw new RemoteFailureException(
              "Training job " + ref + " ended as " + last.state() + " before it finished.",
              "Start the training again if the cancellation was not meant.");
    };
  }

  @Override
  public String toString() {
    return "TrainingJob[" + ref + "]";
  }
}
