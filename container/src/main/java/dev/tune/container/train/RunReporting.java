package dev.tune.container.train;

import dev.tune.core.progress.ProgressListener;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.train.TrainResult;
import java.util.List;

/**
 * The one place where the run's extra outputs are wired: listeners that hear every training log
 * entry (TensorBoard event files in {@link JobOutputs#logDir()}, early stopping) and the HTML
 * report written to {@link JobOutputs#reportFile()} after the run. They come from {@code
 * dev.tune.trainer.report} and {@code dev.tune.trainer.train} (helper {@code metrics}); until those
 * land, a run writes metrics.json and events.jsonl and nothing here.
 */
final class RunReporting {
  private RunReporting() {}

  /** Hears the training's metrics, beside the events file. */
  static ProgressListener listener(JobOutputs outputs, TrainSpec spec) {
    return ProgressListener.none();
  }

  /** After a successful run: the report from the spec, the result and the sample answers. */
  static void finish(
      JobOutputs outputs, TrainSpec spec, TrainResult result, List<Sample> samples) {}
}
