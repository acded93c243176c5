package dev.tune.core;

import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.progress.MetricsLogLine;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.Waiter;
import dev.tune.core.provider.ProviderClient;
import dev.tune.core.train.PreflightVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A handle on a submitted training job: wait for it, read its log, cancel it. */
public final class TrainingJob {
  /** How long the log may take to catch up once the job has ended. */
  private static final Duration LOG_DRAIN = Duration.ofSeconds(5);

  private final JobRef ref;
  private final ProviderClient client;
  private final Waiter waiter;
  private final List<PreflightVerdict> preflight;

  TrainingJob(JobRef ref, ProviderClient client, Waiter waiter) {
    this(ref, client, waiter, List.of());
  }

  TrainingJob(JobRef ref, ProviderClient client, Waiter waiter, List<PreflightVerdict> preflight) {
    this.ref = ref;
    this.client = client;
    this.waiter = waiter;
    this.preflight = List.copyOf(preflight);
  }

  public JobRef ref() {
    return ref;
  }

  /**
   * What the {@link dev.tune.core.train.TrainPreflight} checks said before this job was submitted;
   * empty for a job attached to or resumed rather than submitted here.
   */
  public List<PreflightVerdict> preflight() {
    return preflight;
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
   * Waits until the job succeeds while reading its log: each machine-readable metrics line becomes
   * a {@link MetricsReported} event for {@code listener}, every other line goes to {@code logSink}.
   * The listener also gets the job's state changes; both are called from one thread at a time.
   *
   * @return the final description
   * @throws RemoteFailureException if the job failed or was cancelled
   * @throws InterruptedException when the waiting thread is interrupted; the job goes on
   */
  public JobDescription follow(ProgressListener listener, Consumer<LogLine> logSink)
      throws InterruptedException {
    Object lock = new Object();
    ProgressListener serial =
        event -> {
          synchronized (lock) {
            listener.onEvent(event);
          }
        };
    Consumer<LogLine> lines =
        line -> {
          Optional<MetricsReported> metrics = MetricsLogLine.parse(line, ref);
          synchronized (lock) {
            if (metrics.isPresent()) {
              listener.onEvent(metrics.get());
            } else {
              logSink.accept(line);
            }
          }
        };
    Thread reader =
        Thread.ofVirtual()
            .name("logs-" + ref.id())
            .start(
                () -> {
                  try {
                    client.streamLogs(ref, true, lines);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (RuntimeException e) {
                    // The log is a courtesy; the job's state decides the outcome.
                    lines.accept(
                        new LogLine(Instant.now(), "(log unavailable: " + e.getMessage() + ")"));
                  }
                });
    try {
      JobDescription done = await(serial);
      reader.join(LOG_DRAIN);
      return done;
    } catch (RemoteFailureException e) {
      reader.join(LOG_DRAIN);
      throw e;
    } finally {
      reader.interrupt();
    }
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
