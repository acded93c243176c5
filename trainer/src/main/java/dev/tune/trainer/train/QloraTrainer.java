package dev.tune.trainer.train;

import dev.tune.core.train.TrainingArguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Trains the LoRA adapters of a {@link QloraModel} as transformers' {@code Trainer} would with the
 * same {@code TrainingArguments}: shuffled batches padded to their longest example, gradient
 * accumulation with the loss averaged over all trained tokens of the optimizer step, gradient
 * clipping, AdamW ({@code adamw_torch}, {@code adamw_8bit}, {@code paged_adamw_8bit}) under HF's
 * learning-rate schedules, fp16 dynamic loss scaling when the model computes in float16, optional
 * gradient checkpointing, evaluation every {@code eval_steps} or epoch ({@code eval_strategy}),
 * logs every {@code logging_steps} and checkpoints every {@code save_steps} (keeping {@code
 * save_total_limit}).
 *
 * <p>With {@code early_stopping}, training stops as transformers' {@code EarlyStoppingCallback}
 * would; each evaluation with a new lowest loss is saved as a checkpoint that the rotation spares,
 * and at the end that checkpoint's adapter is loaded back, so the best adapter is the one in the
 * output directory and in the model (transformers' {@code load_best_model_at_end}).
 *
 * <p>Runs are reproducible: the same seed, data and settings give the same adapter, and a run
 * resumed from one of its checkpoints ends with the same adapter as one that never stopped.
 *
 * <p>The step loop reads nothing back from the device between logging points (the fp16 loss
 * scaler's overflow check excepted, as in torch): losses and gradient norms are accumulated on the
 * device and read when logged. Each step runs in its own {@code NDManager} and {@code NDScope}, so
 * nothing it allocates outlives it.
 */
public final class QloraTrainer {

  private final QloraModel model;
  private final TrainingArguments arguments;
  private final Path outputDir;
  private final OptionalInt saveTotalLimit;
  private final TrainingListener listener;
  private final Consumer<String> logSink;
  private volatile boolean stopRequested;

  private QloraTrainer(Builder builder) {
    this.model = builder.model;
    this.arguments = builder.arguments;
    this.outputDir = Objects.requireNonNull(builder.outputDir, "outputDir is required");
    this.saveTotalLimit = builder.saveTotalLimit;
    this.listener = builder.listener;
    this.logSink = builder.logSink;
  }

  /** A trainer of {@code model}'s adapters with {@code arguments}; the output dir is required. */
  public static Builder builder(QloraModel model, TrainingArguments arguments) {
    return new Builder(model, arguments);
  }

  /**
   * Trains on {@code train}, evaluating on {@code eval} (may be empty) every {@code eval_steps}.
   *
   * @param resumeFrom a {@code checkpoint-N} directory of an earlier run of the same data and
   *     settings to continue from; empty starts afresh
   * @return the final metrics, where the adapter is, and the log history
   * @throws IllegalArgumentException if the checkpoint does not fit this run
   */
  public TrainResult train(
      Iterable<TrainingExample> train, Iterable<TrainingExample> eval, Optional<Path> resumeFrom) {
    stopRequested = false;
    try (TrainingLoop loop =
        new TrainingLoop(
            model,
            arguments,
            list(train),
            list(eval),
            new CheckpointStore(outputDir, saveTotalLimit),
            outputDir,
            listener,
            logSink,
            () -> stopRequested)) {
      resumeFrom.ifPresent(loop::resume);
      return loop.run();
    }
  }

  /**
   * The mean token loss of {@code examples} under the current adapters, in batches of {@code
   * per_device_eval_batch_size}, without dropout or recording.
   */
  public EvalResult evaluate(Iterable<TrainingExample> examples) {
    return Evaluation.run(model, list(examples), arguments.perDeviceEvalBatchSize());
  }

  /**
   * Asks a running {@link #train} to stop after the step in progress: it saves a checkpoint (unless
   * that step just saved one) and returns with {@link TrainResult#stoppedEarly()}. Safe to call
   * from any thread, e.g. a SIGTERM hook of a spot instance.
   */
  public void requestStop() {
    stopRequested = true;
  }

  private static List<TrainingExample> list(Iterable<TrainingExample> examples) {
    List<TrainingExample> out = new ArrayList<>();
    examples.forEach(e -> out.add(Objects.requireNonNull(e, "a training example is null")));
    return out;
  }

  /** Settings of a {@link QloraTrainer}. */
  public static final class Builder {
    private final QloraModel model;
    private final TrainingArguments arguments;
    private Path outputDir;
    private OptionalInt saveTotalLimit = OptionalInt.empty();
    private TrainingListener listener = TrainingListener.none();
    private Consumer<String> logSink = System.out::println;

    private Builder(QloraModel model, TrainingArguments arguments) {
      this.model = Objects.requireNonNull(model, "model");
      this.arguments = Objects.requireNonNull(arguments, "arguments");
    }

    /** Where checkpoints and the final adapter go (HF's {@code output_dir}); required. */
    public Builder outputDir(Path dir) {
      this.outputDir = dir;
      return this;
    }

    /** Keep only the newest {@code limit} checkpoints (HF's {@code save_total_limit}). */
    public Builder saveTotalLimit(int limit) {
      this.saveTotalLimit = OptionalInt.of(limit);
      return this;
    }

    public Builder listener(TrainingListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /** Receives each log line, e.g. {@code {'loss': 1.2345, ...}}; default standard output. */
    public Builder logSink(Consumer<String> value) {
      this.logSink = Objects.requireNonNull(value, "logSink");
      return this;
    }

    public QloraTrainer build() {
      return new QloraTrainer(this);
    }
  }
}
