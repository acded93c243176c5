package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.tune.core.ResourceRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.HfUri;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.model.ModelPlacement;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * One QLoRA fine-tuning run as the container's {@code train} entrypoint performs it: the base model
 * in a local Hugging Face directory is loaded and quantized as {@link TrainSpec#quantization()}
 * says, LoRA adapters are attached as {@link TrainSpec#lora()} says, and {@link
 * TrainSpec#training()} drives a {@link QloraTrainer} over the given tokenized examples. Metrics go
 * to the log sink as HF Trainer-style lines and to the {@link ProgressListener} as {@link
 * MetricsReported} events.
 *
 * <p>When the output directory already holds checkpoints of this run (a restarted spot job, say),
 * training resumes from the newest one.
 *
 * <pre>{@code
 * TrainResult result = TrainingRun.builder(spec, job)
 *     .baseModelDir(Path.of("/opt/ml/input/data/model"))
 *     .outputDir(Path.of("/opt/ml/checkpoints"))
 *     .trainExamples(train)
 *     .evalExamples(eval)
 *     .listener(listener)
 *     .build()
 *     .run();
 * }</pre>
 */
public final class TrainingRun {

  private final TrainSpec spec;
  private final ResourceRef job;
  private final Path baseModelDir;
  private final Path outputDir;
  private final Iterable<TrainingExample> train;
  private final Iterable<TrainingExample> eval;
  private final ProgressListener listener;
  private final TrainingListener trainingListener;
  private final Consumer<String> logSink;
  private final Device device;
  private final Optional<ModelPlacement> placement;
  private final OptionalInt saveTotalLimit;
  private final boolean resume;
  private volatile QloraTrainer trainer;
  private volatile boolean stopRequested;

  private TrainingRun(Builder b) {
    this.spec = b.spec;
    this.job = b.job;
    this.baseModelDir = Objects.requireNonNull(b.baseModelDir, "baseModelDir is required");
    this.outputDir = Objects.requireNonNull(b.outputDir, "outputDir is required");
    this.train = Objects.requireNonNull(b.train, "trainExamples are required");
    this.eval = b.eval;
    this.listener = b.listener;
    this.trainingListener = b.trainingListener;
    this.logSink = b.logSink;
    this.placement = Optional.ofNullable(b.placement);
    this.device =
        b.device != null
            ? b.device
            : placement
                .map(p -> p.devices().get(p.embeddings()))
                .orElseGet(TrainingRun::defaultDevice);
    this.saveTotalLimit = b.saveTotalLimit;
    this.resume = b.resume;
  }

  /**
   * A run of {@code spec}; its metrics are reported as events of {@code job}. The base model
   * directory, the output directory and the training examples are required.
   */
  public static Builder builder(TrainSpec spec, ResourceRef job) {
    return new Builder(spec, job);
  }

  /** Trains and returns the result; the model's native memory is freed before it returns. */
  public TrainResult run() {
    ComputePrecision precision =
        ComputePrecision.resolve(device, spec.quantization(), spec.training());
    precision.warning().ifPresent(w -> logSink.accept("WARNING: " + w));
    QloraModelPreparer unplaced =
        new QloraModelPreparer(spec.quantization(), spec.lora(), precision, spec.training().seed());
    QloraModelPreparer preparer = placement.map(unplaced::withPlacement).orElse(unplaced);
    try (NDManager manager = NDManager.newBaseManager(device);
        QloraModel model =
            preparer.prepare(baseModelDir, baseModelName(spec.model().source()), manager)) {
      QloraTrainer.Builder builder =
          QloraTrainer.builder(model, spec.training())
              .outputDir(outputDir)
              .logSink(logSink)
              .listener(
                  new TrainingListener() {
                    @Override
                    public void onStepEnd(int step, int totalSteps) {
                      trainingListener.onStepEnd(step, totalSteps);
                    }

                    @Override
                    public void onLog(TrainingLog log) {
                      listener.onEvent(
                          new MetricsReported(Instant.now(), job, log.step(), log.metrics()));
                      trainingListener.onLog(log);
                    }

                    @Override
                    public void onCheckpoint(int step, Path dir) {
                      trainingListener.onCheckpoint(step, dir);
                    }
                  });
      saveTotalLimit.ifPresent(builder::saveTotalLimit);
      trainer = builder.build();
      if (stopRequested) {
        trainer.requestStop();
      }
      Optional<Path> checkpoint =
          resume ? new CheckpointStore(outputDir, OptionalInt.empty()).latest() : Optional.empty();
      return trainer.train(train, eval, checkpoint);
    } finally {
      trainer = null;
    }
  }

  /**
   * Asks the run to stop after the step in progress and save a checkpoint; a later run with the
   * same output directory resumes from it.
   */
  public void stop() {
    stopRequested = true;
    QloraTrainer current = trainer;
    if (current != null) {
      current.requestStop();
    }
  }

  /**
   * What the adapter's {@code base_model_name_or_path} says: the repository id of a Hugging Face
   * model (as peft writes it, so {@code PeftModel.from_pretrained} finds the base), else the URI.
   */
  static String baseModelName(ArtifactUri source) {
    return source instanceof HfUri hf ? hf.repoId() : source.toString();
  }

  /** The first GPU when the engine sees one, else the CPU. */
  static Device defaultDevice() {
    return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }

  /** Settings of a {@link TrainingRun}. */
  public static final class Builder {
    private final TrainSpec spec;
    private final ResourceRef job;
    private Path baseModelDir;
    private Path outputDir;
    private Iterable<TrainingExample> train;
    private Iterable<TrainingExample> eval = List.of();
    private ProgressListener listener = ProgressListener.none();
    private TrainingListener trainingListener = TrainingListener.none();
    private Consumer<String> logSink = System.out::println;
    private Device device;
    private ModelPlacement placement;
    private OptionalInt saveTotalLimit = OptionalInt.empty();
    private boolean resume = true;

    private Builder(TrainSpec spec, ResourceRef job) {
      this.spec = Objects.requireNonNull(spec, "spec");
      this.job = Objects.requireNonNull(job, "job");
    }

    /** The local Hugging Face model directory ({@code config.json}, safetensors weights). */
    public Builder baseModelDir(Path dir) {
      this.baseModelDir = dir;
      return this;
    }

    /** Where checkpoints and the final adapter go. */
    public Builder outputDir(Path dir) {
      this.outputDir = dir;
      return this;
    }

    public Builder trainExamples(Iterable<TrainingExample> examples) {
      this.train = examples;
      return this;
    }

    /** Evaluation examples (none by default: no evaluation). */
    public Builder evalExamples(Iterable<TrainingExample> examples) {
      this.eval = Objects.requireNonNull(examples, "examples");
      return this;
    }

    public Builder listener(ProgressListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * Hears the trainer itself (log entries with their kind, steps, checkpoints), e.g. a
     * TensorBoard writer; nothing by default.
     */
    public Builder trainingListener(TrainingListener value) {
      this.trainingListener = Objects.requireNonNull(value, "trainingListener");
      return this;
    }

    /** Receives the log lines; standard output by default. */
    public Builder logSink(Consumer<String> value) {
      this.logSink = Objects.requireNonNull(value, "logSink");
      return this;
    }

    /** The device to train on; the first GPU if the engine sees one, else the CPU, by default. */
    public Builder device(Device value) {
      this.device = Objects.requireNonNull(value, "device");
      return this;
    }

    /**
     * Spreads the model's modules over devices as {@code value} says (e.g. {@link
     * ModelPlacement#fromDeviceMap} of a planner's placement); one device, {@link #device}, by
     * default. Without an explicit {@link #device}, batches go to the embeddings' device.
     */
    public Builder placement(ModelPlacement value) {
      this.placement = Objects.requireNonNull(value, "placement");
      return this;
    }

    /** Keep only the newest checkpoints ({@code save_total_limit}); all by default. */
    public Builder saveTotalLimit(int limit) {
      this.saveTotalLimit = OptionalInt.of(limit);
      return this;
    }

    /** Whether to resume from the newest checkpoint in the output directory (default true). */
    public Builder resume(boolean value) {
      this.resume = value;
      return this;
    }

    public TrainingRun build() {
      return new TrainingRun(this);
    }
  }
}
