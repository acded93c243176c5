package dev.tune.trainer.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.trainer.optim.LossScalerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A checkpoint's {@code trainer_state.json}: transformers' {@code TrainerState} fields ({@code
 * global_step}, {@code epoch}, {@code max_steps}, {@code log_history}, ...) and, under {@code
 * "tune"}, what an exact resume needs besides the adapter and optimizer files: the scheduler's step
 * count, the loss scaler, where the data stood and the metrics not yet logged.
 *
 * @param globalStep optimizer steps taken (transformers' {@code global_step})
 * @param schedulerStep steps the learning-rate schedule advanced (fewer than {@code globalStep}
 *     when the fp16 loss scaler skipped steps)
 * @param maxSteps the run's total steps
 * @param epoch fractional epochs done
 * @param data the data the run was trained on and its batching
 * @param lossScaler the fp16 loss scaler's state, when one runs
 * @param pendingLossSum the per-step losses summed since the last log
 * @param pendingSteps the steps since the last log
 * @param totalLossSum every step's loss summed, for the final {@code train_loss}
 * @param numInputTokensSeen the real tokens of every step so far
 * @param logHistory every log entry so far
 * @param settings the run's settings, for readers of the file
 * @param bestEvaluation the evaluation with the lowest loss so far (transformers' {@code
 *     best_metric} and {@code best_global_step})
 * @param evaluationsWithoutImprovement the early-stopping patience counter
 */
public record TrainerState(
    int globalStep,
    int schedulerStep,
    int maxSteps,
    double epoch,
    DataPosition data,
    Optional<LossScalerState> lossScaler,
    double pendingLossSum,
    int pendingSteps,
    double totalLossSum,
    long numInputTokensSeen,
    List<TrainingLog> logHistory,
    Settings settings,
    Optional<BestEvaluation> bestEvaluation,
    int evaluationsWithoutImprovement) {

  /** The file name transformers uses. */
  public static final String FILE_NAME = "trainer_state.json";

  private static final int FORMAT_VERSION = 1;
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public TrainerState {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(lossScaler, "lossScaler");
    logHistory = List.copyOf(logHistory);
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(bestEvaluation, "bestEvaluation");
  }

  /**
   * Identifies the training data and how it was batched; a resume must see the same to continue
   * where the checkpoint stopped.
   *
   * @param examples the number of training examples
   * @param fingerprint SHA-256 of every example's ids and labels, in order
   * @param batchSize {@code per_device_train_batch_size}
   * @param gradientAccumulationSteps {@code gradient_accumulation_steps}
   * @param seed the seed of the shuffles and of dropout
   */
  public record DataPosition(
      int examples, String fingerprint, int batchSize, int gradientAccumulationSteps, long seed) {
    public DataPosition {
      Objects.requireNonNull(fingerprint, "fingerprint");
    }
  }

  /** The HF fields that describe the run's settings, copied into the file for readers. */
  public record Settings(
      double numTrainEpochs, int loggingSteps, int evalSteps, int saveSteps, String optimizer) {
    public Settings {
      Objects.requireNonNull(optimizer, "optimizer");
    }
  }

  /** Writes the state to {@code dir/trainer_state.json}. */
  public void write(Path dir) {
    ObjectNode root = JSON.createObjectNode();
    bestEvaluation.ifPresentOrElse(
        b -> {
          root.put("best_global_step", b.step());
          root.put("best_metric", b.loss());
        },
        () -> {
          root.putNull("best_global_step");
          root.putNull("best_metric");
        });
    root.put("epoch", epoch);
    root.put("eval_steps", settings.evalSteps());
    root.put("global_step", globalStep);
    ArrayNode history = root.putArray("log_history");
    for (TrainingLog log : logHistory) {
      ObjectNode entry = history.addObject();
      log.metrics().forEach(entry::put);
      entry.put("step", log.step());
    }
    root.put("logging_steps", settings.loggingSteps());
    root.put("max_steps", maxSteps);
    root.put("num_input_tokens_seen", numInputTokensSeen);
    root.put("num_train_epochs", settings.numTrainEpochs());
    root.put("save_steps", settings.saveSteps());
    root.put("train_batch_size", data.batchSize());
    ObjectNode tune = root.putObject("tune");
    tune.put("format_version", FORMAT_VERSION);
    tune.put("scheduler_step", schedulerStep);
    tune.put("optimizer", settings.optimizer());
    ObjectNode dataNode = tune.putObject("data");
    dataNode.put("examples", data.examples());
    dataNode.put("fingerprint", data.fingerprint());
    dataNode.put("batch_size", data.batchSize());
    dataNode.put("gradient_accumulation_steps", data.gradientAccumulationSteps());
    dataNode.put("seed", data.seed());
    dataNode.put("rng", "the engine is reseeded from seed, optimizer step, micro-batch and layer");
    lossScaler.ifPresent(
        s -> {
          ObjectNode scaler = tune.putObject("loss_scaler");
          scaler.put("scale", s.scale());
          scaler.put("growth_tracker", s.growthTracker());
        });
    tune.put("pending_loss_sum", pendingLossSum);
    tune.put("pending_steps", pendingSteps);
    tune.put("total_loss_sum", totalLossSum);
    tune.put("evaluations_without_improvement", evaluationsWithoutImprovement);
    try {
      Files.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE_NAME), e);
    }
  }

  /** Reads {@code dir/trainer_state.json} as {@link #write} wrote it. */
  public static TrainerState read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          file + " is not valid JSON (" + e.getOriginalMessage() + "); delete the checkpoint", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    JsonNode tune = root.path("tune");
    if (tune.path("format_version").asInt(-1) != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          file
              + " was not written by this version of tune's trainer (no tune.format_version "
              + FORMAT_VERSION
              + "); resume from a checkpoint tune wrote, or start afresh in an empty output dir");
    }
    JsonNode dataNode = tune.path("data");
    DataPosition data =
        new DataPosition(
            dataNode.path("examples").asInt(),
            dataNode.path("fingerprint").asText(),
            dataNode.path("batch_size").asInt(),
            dataNode.path("gradient_accumulation_steps").asInt(),
            dataNode.path("seed").asLong());
    Optional<LossScalerState> scaler =
        tune.has("loss_scaler")
            ? Optional.of(
                new LossScalerState(
                    (float) tune.path("loss_scaler").path("scale").asDouble(),
                    tune.path("loss_scaler").path("growth_tracker").asInt()))
            : Optional.empty();
    List<TrainingLog> history = new ArrayList<>();
    for (JsonNode entry : root.path("log_history")) {
      Map<String, Double> metrics = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : entry.properties()) {
        if (!field.getKey().equals("step")) {
          metrics.put(field.getKey(), field.getValue().asDouble());
        }
      }
      history.add(new TrainingLog(kindOf(metrics), entry.path("step").asInt(), metrics));
    }
    return new TrainerState(
        root.path("global_step").asInt(),
        tune.path("scheduler_step").asInt(),
        root.path("max_steps").asInt(),
        root.path("epoch").asDouble(),
        data,
        scaler,
        tune.path("pending_loss_sum").asDouble(),
        tune.path("pending_steps").asInt(),
        tune.path("total_loss_sum").asDouble(),
        root.path("num_input_tokens_seen").asLong(),
        history,
        new Settings(
            root.path("num_train_epochs").asDouble(),
            root.path("logging_steps").asInt(),
            root.path("eval_steps").asInt(),
            root.path("save_steps").asInt(),
            tune.path("optimizer").asText()),
        root.path("best_metric").isNumber()
            ? Optional.of(
                new BestEvaluation(
                    root.path("best_global_step").asInt(), root.path("best_metric").asDouble()))
            : Optional.empty(),
        tune.path("evaluations_without_improvement").asInt());
  }

  private static TrainingLog.Kind kindOf(Map<String, Double> metrics) {
    if (metrics.containsKey("eval_loss")) {
      return TrainingLog.Kind.EVAL;
    }
    if (metrics.containsKey("train_runtime")) {
      return TrainingLog.Kind.SUMMARY;
    }
    return TrainingLog.Kind.TRAIN;
  }
}
