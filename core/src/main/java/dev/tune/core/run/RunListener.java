package dev.tune.core.run;

import dev.tune.core.job.LogLine;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;

/**
 * Follows a {@link RunPipeline}: the steps as they start and end, the state changes and metrics of
 * the job and endpoint ({@link #onEvent}), and the job's log lines that are not metrics. Called on
 * one thread at a time.
 */
public interface RunListener extends ProgressListener {
  /** Step {@code step} begins. */
  default void stepStarted(RunStep step) {}

  /** A step ended well; {@code soFar} holds everything produced until now. */
  default void stepFinished(RunStep step, RunResult soFar) {}

  /** A line of the training job's log. */
  default void logLine(LogLine line) {}

  @Override
  default void onEvent(ProgressEvent event) {}

  /** A listener that ignores everything. */
  static RunListener none() {
    return new RunListener() {};
  }
}
