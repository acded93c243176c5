package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a run measures and logs. Per-step numbers stay on the device (the summed step losses, the
 * last gradient norm) and are read only when a log entry is made; host counters (tokens, steps
 * since the last log, wall time) make the throughput.
 */
final class RunMetrics implements AutoCloseable {

  private final NDManager device;
  private final NDManager host;
  private final List<TrainingLog> history = new ArrayList<>();
  private NDArray pendingLoss;
  private NDArray lastGradNorm;
  private int pendingSteps;
  private double totalLossSum;
  private long tokensSeen;
  private long tokensSinceLog;
  private long clock = System.nanoTime();
  private OptionalDouble lastEvalLoss = OptionalDouble.empty();
  private int lastEvalStep = -1;

  /**
   * @param device where the accumulators live (the model's device)
   * @param host a CPU manager for the step's scalars
   */
  RunMetrics(NDManager device, NDManager host) {
    this.device = device;
    this.host = host;
    this.pendingLoss = device.zeros(new Shape(), DataType.FLOAT64);
  }

  /** Continues the counts of a checkpoint's state. */
  void restore(TrainerState state) {
    pendingLoss.close();
    pendingLoss = device.create(state.pendingLossSum());
    pendingSteps = state.pendingSteps();
    totalLossSum = state.totalLossSum();
    tokensSeen = state.numInputTokensSeen();
    history.addAll(state.logHistory());
  }

  /** Starts the throughput clock (at the start of the run). */
  void startClock() {
    clock = System.nanoTime();
  }

  /**
   * Adds one step: its summed token loss over the step's trained tokens (on the device, in the
   * caller's scope, unrecorded) and its real tokens.
   */
  void addStep(NDArray stepLossSum, float trainedTokens, long tokens) {
    pendingLoss.addi(
        stepLossSum.toType(DataType.FLOAT64, false).div(host.create((double) trainedTokens)));
    pendingSteps++;
    tokensSinceLog += tokens;
    tokensSeen += tokens;
  }

  /** Keeps the step's total gradient norm (before clipping), replacing the previous one. */
  void gradNorm(NDArray norm) {
    if (lastGradNorm != null) {
      lastGradNorm.close();
    }
    lastGradNorm = norm;
  }

  /** The training entry at {@code step}: reads the device, resets the interval. */
  TrainingLog train(int step, double epoch, double learningRate) {
    double lossSum = pendingLoss.getDouble();
    long now = System.nanoTime();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", TrainingLog.round(lossSum / pendingSteps, 4));
    if (lastGradNorm != null) {
      metrics.put("grad_norm", (double) lastGradNorm.getFloat());
    }
    metrics.put("learning_rate", learningRate);
    metrics.put("epoch", epoch);
    metrics.put("tokens_per_second", TrainingLog.round(tokensSinceLog / ((now - clock) / 1e9), 3));
    totalLossSum += lossSum;
    pendingSteps = 0;
    tokensSinceLog = 0;
    pendingLoss.close();
    pendingLoss = device.zeros(new Shape(), DataType.FLOAT64);
    clock = System.nanoTime();
    return add(new TrainingLog(TrainingLog.Kind.TRAIN, step, metrics));
  }

  /** The evaluation entry at {@code step}; its time is kept out of the training throughput. */
  TrainingLog eval(EvalResult result, int batches, int step, double epoch) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("eval_loss", result.loss());
    metrics.put("eval_runtime", TrainingLog.round(result.runtimeSeconds(), 4));
    metrics.put(
        "eval_samples_per_second",
        TrainingLog.round(result.examples() / result.runtimeSeconds(), 3));
    metrics.put("eval_steps_per_second", TrainingLog.round(batches / result.runtimeSeconds(), 3));
    metrics.put("epoch", epoch);
    lastEvalLoss = OptionalDouble.of(result.loss());
    lastEvalStep = step;
    clock += (long) (result.runtimeSeconds() * 1e9);
    return add(new TrainingLog(TrainingLog.Kind.EVAL, step, metrics));
  }

  /** The run's final entry, transformers' {@code train_runtime} ... {@code train_loss}. */
  TrainingLog summary(
      double runtimeSeconds, long samples, int steps, int globalStep, double epoch) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("train_runtime", TrainingLog.round(runtimeSeconds, 4));
    metrics.put("train_samples_per_second", TrainingLog.round(samples / runtimeSeconds, 3));
    metrics.put("train_steps_per_second", TrainingLog.round(steps / runtimeSeconds, 3));
    metrics.put(
        "train_loss",
        globalStep == 0 ? Double.NaN : (totalLossSum + pendingLoss.getDouble()) / globalStep);
    metrics.put("epoch", epoch);
    return add(new TrainingLog(TrainingLog.Kind.SUMMARY, globalStep, metrics));
  }

  private TrainingLog add(TrainingLog log) {
    history.add(log);
    return log;
  }

  /** The losses summed since the last log (reads the device). */
  double pendingLossSum() {
    return pendingLoss.getDouble();
  }

  int pendingSteps() {
    return pendingSteps;
  }

  double totalLossSum() {
    return totalLossSum;
  }

  long tokensSeen() {
    return tokensSeen;
  }

  List<TrainingLog> history() {
    return List.copyOf(history);
  }

  OptionalDouble lastEvalLoss() {
    return lastEvalLoss;
  }

  int lastEvalStep() {
    return lastEvalStep;
  }

  @Override
  public void close() {
    pendingLoss.close();
    if (lastGradNorm != null) {
      lastGradNorm.close();
    }
  }
}
