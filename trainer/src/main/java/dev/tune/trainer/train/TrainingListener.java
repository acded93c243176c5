package dev.tune.trainer.train;

import java.nio.file.Path;

/**
 * Hears what a {@link QloraTrainer} does, on the training thread; keep it quick. A listener may
 * call {@link QloraTrainer#requestStop()}.
 */
public interface TrainingListener {

  /** After each optimizer step; {@code step} counts the steps taken, 1-based. */
  default void onStepEnd(int step, int totalSteps) {}

  /** After each log entry (training metrics, evaluation, the final summary). */
  default void onLog(TrainingLog log) {}

  /** After a checkpoint was saved. */
  default void onCheckpoint(int step, Path dir) {}

  /** A listener that ignores everything. */
  static TrainingListener none() {
    return new TrainingListener() {};
  }
}
