package dev.tune.trainer.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a training run produced.
 *
 * @param globalStep the optimizer steps taken in all (resumed steps included)
 * @param maxSteps the steps the run was planned for
 * @param stoppedEarly whether a stop was requested before {@code maxSteps}
 * @param adapterDir the trained adapter in peft's format: the output directory after a complete
 *     run, the last checkpoint after a stopped one
 * @param lastCheckpoint the newest {@code checkpoint-N} directory, if any was saved
 * @param trainLoss the mean of every step's loss (transformers' {@code train_loss})
 * @param evalLoss the last evaluation's mean token loss, when there was evaluation data
 * @param metrics the final summary ({@code train_runtime}, {@code train_samples_per_second}, {@code
 *     train_steps_per_second}, {@code train_loss}, {@code epoch})
 * @param logHistory every log entry, resumed ones included
 * @param bestEvaluation the evaluation with the lowest {@code eval_loss}; with {@code
 *     early_stopping} its checkpoint's adapter is the one in {@code adapterDir} and in the model
 * @param stoppedByEarlyStopping whether early stopping ended the run before {@code maxSteps}
 */
public record TrainResult(
    int globalStep,
    int maxSteps,
    boolean stoppedEarly,
    Path adapterDir,
    Optional<Path> lastCheckpoint,
    double trainLoss,
    OptionalDouble evalLoss,
    Map<String, Double> metrics,
    List<TrainingLog> logHistory,
    Optional<BestEvaluation> bestEvaluation,
    boolean stoppedByEarlyStopping) {

  public TrainResult {
    Objects.requireNonNull(adapterDir, "adapterDir");
    Objects.requireNonNull(lastCheckpoint, "lastCheckpoint");
    Objects.requireNonNull(evalLoss, "evalLoss");
    metrics = Map.copyOf(metrics);
    logHistory = List.copyOf(logHistory);
    Objects.requireNonNull(bestEvaluation, "bestEvaluation");
  }
}
