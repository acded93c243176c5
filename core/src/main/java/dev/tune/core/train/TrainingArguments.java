package dev.tune.core.train;

import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;

/**
 * The training hyperparameters, named and defaulted as in transformers' {@code TrainingArguments}.
 * The {@code tune.yaml} key of each component is its snake_case name (e.g. {@link
 * #gradientAccumulationSteps()} is {@code gradient_accumulation_steps}).
 *
 * <p>Build with {@link #builder()}; every field left unset takes the Trainer's default.
 *
 * @param learningRate peak learning rate
 * @param numTrainEpochs passes over the training data; ignored when {@code maxSteps > 0}
 * @param maxSteps total optimizer steps, or -1 to derive them from the epochs
 * @param perDeviceTrainBatchSize examples per device per forward pass
 * @param perDeviceEvalBatchSize examples per device per evaluation pass
 * @param gradientAccumulationSteps forward passes per optimizer step
 * @param warmupSteps linear warm-up steps; when above 0 it wins over {@code warmupRatio}
 * @param warmupRatio warm-up as a fraction of the total steps
 * @param lrSchedulerType the schedule after warm-up
 * @param optim the optimizer
 * @param weightDecay decoupled weight decay of AdamW
 * @param adamBeta1 AdamW's beta1
 * @param adamBeta2 AdamW's beta2
 * @param adamEpsilon AdamW's epsilon
 * @param maxGradNorm gradients are clipped to this global norm; 0 turns clipping off
 * @param bf16 bfloat16 mixed precision
 * @param fp16 float16 mixed precision with loss scaling
 * @param gradientCheckpointing recompute activations in the backward pass to save memory
 * @param seed the random seed of initialization, dropout and data order
 * @param loggingSteps report loss and learning rate every this many steps
 * @param saveSteps save a checkpoint every this many steps
 * @param evalSteps evaluate every this many steps when there is evaluation data and {@code
 *     evalStrategy} is {@code steps}; defaults to {@code loggingSteps}
 * @param evalStrategy when to evaluate; {@code steps} by default
 * @param earlyStopping stop when the evaluation loss stops improving and return the best adapter;
 *     off when empty
 */
public record TrainingArguments(
    double learningRate,
    double numTrainEpochs,
    int maxSteps,
    int perDeviceTrainBatchSize,
    int perDeviceEvalBatchSize,
    int gradientAccumulationSteps,
    int warmupSteps,
    double warmupRatio,
    LrSchedulerType lrSchedulerType,
    Optimizer optim,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEpsilon,
    double maxGradNorm,
    boolean bf16,
    boolean fp16,
    boolean gradientCheckpointing,
    long seed,
    int loggingSteps,
    int saveSteps,
    int evalSteps,
    EvalStrategy evalStrategy,
    Optional<EarlyStopping> earlyStopping) {

  public TrainingArguments {
    Objects.requireNonNull(lrSchedulerType, "lrSchedulerType");
    Objects.requireNonNull(optim, "optim");
    Objects.requireNonNull(evalStrategy, "evalStrategy");
    Objects.requireNonNull(earlyStopping, "earlyStopping");
    Violations v = new Violations("training arguments");
    v.check(learningRate > 0, "learning_rate", learningRate, "a number > 0");
    v.check(numTrainEpochs > 0, "num_train_epochs", numTrainEpochs, "a number > 0");
    v.check(maxSteps == -1 || maxSteps > 0, "max_steps", maxSteps, "-1 or an integer >= 1");
    v.check(
        perDeviceTrainBatchSize >= 1,
        "per_device_train_batch_size",
        perDeviceTrainBatchSize,
        "an integer >= 1");
    v.check(
        perDeviceEvalBatchSize >= 1,
        "per_device_eval_batch_size",
        perDeviceEvalBatchSize,
        "an integer >= 1");
    v.check(
        gradientAccumulationSteps >= 1,
        "gradient_accumulation_steps",
        gradientAccumulationSteps,
        "an integer >= 1");
    v.check(warmupSteps >= 0, "warmup_steps", warmupSteps, "an integer >= 0");
    v.check(
        warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", warmupRatio, "a number in [0, 1]");
    v.check(weightDecay >= 0, "weight_decay", weightDecay, "a number >= 0");
    v.check(adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1", adamBeta1, "a number in [0, 1)");
    v.check(adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2", adamBeta2, "a number in [0, 1)");
    v.check(adamEpsilon > 0, "adam_epsilon", adamEpsilon, "a number > 0");
    v.check(maxGradNorm >= 0, "max_grad_norm", maxGradNorm, "a number >= 0 (0 turns clipping off)");
    v.check(!(bf16 && fp16), "fp16", fp16, "false when bf16 is true (pick one precision)");
    v.check(loggingSteps >= 1, "logging_steps", loggingSteps, "an integer >= 1");
    v.check(saveSteps >= 1, "save_steps", saveSteps, "an integer >= 1");
    v.check(evalSteps >= 1, "eval_steps", evalSteps, "an integer >= 1");
    v.check(
        earlyStopping.isEmpty() || evalStrategy != EvalStrategy.NO,
        "eval_strategy",
        "no",
        "steps or epoch when early_stopping is set (early stopping needs evaluations)");
    v.throwIfAny();
  }

  /** A builder holding the Trainer's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The Trainer's defaults. */
  public static TrainingArguments defaults() {
    return builder().build();
  }

  /** A builder holding this value's fields. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The number of examples per optimizer step on one device. */
  public int effectiveBatchSizePerDevice() {
    return perDeviceTrainBatchSize * gradientAccumulationSteps;
  }

  /** The warm-up steps for a run of {@code totalSteps}, as the Trainer computes them. */
  public int warmupStepsFor(int totalSteps) {
    return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(totalSteps * warmupRatio);
  }

  /** Builds {@link TrainingArguments}; starts from the Trainer's defaults. */
  public static final class Builder {
    private double learningRate = 5e-5;
    private double numTrainEpochs = 3.0;
    private int maxSteps = -1;
    private int perDeviceTrainBatchSize = 8;
    private int perDeviceEvalBatchSize = 8;
    private int gradientAccumulationSteps = 1;
    private int warmupSteps = 0;
    private double warmupRatio = 0.0;
    private LrSchedulerType lrSchedulerType = LrSchedulerType.LINEAR;
    private Optimizer optim = Optimizer.ADAMW_TORCH;
    private double weightDecay = 0.0;
    private double adamBeta1 = 0.9;
    private double adamBeta2 = 0.999;
    private double adamEpsilon = 1e-8;
    private double maxGradNorm = 1.0;
    private boolean bf16 = false;
    private boolean fp16 = false;
    private boolean gradientCheckpointing = false;
    private long seed = 42;
    private int loggingSteps = 500;
    private int saveSteps = 500;
    private Integer evalSteps;
    private EvalStrategy evalStrategy = EvalStrategy.STEPS;
    private Optional<EarlyStopping> earlyStopping = Optional.empty();

    private Builder() {}

    private Builder(TrainingArguments a) {
      learningRate = a.learningRate;
      numTrainEpochs = a.numTrainEpochs;
      maxSteps = a.maxSteps;
      perDeviceTrainBatchSize = a.perDeviceTrainBatchSize;
      perDeviceEvalBatchSize = a.perDeviceEvalBatchSize;
      gradientAccumulationSteps = a.gradientAccumulationSteps;
      warmupSteps = a.warmupSteps;
      warmupRatio = a.warmupRatio;
      lrSchedulerType = a.lrSchedulerType;
      optim = a.optim;
      weightDecay = a.weightDecay;
      adamBeta1 = a.adamBeta1;
      adamBeta2 = a.adamBeta2;
      adamEpsilon = a.adamEpsilon;
      maxGradNorm = a.maxGradNorm;
      bf16 = a.bf16;
      fp16 = a.fp16;
      gradientCheckpointing = a.gradientCheckpointing;
      seed = a.seed;
      loggingSteps = a.loggingSteps;
      saveSteps = a.saveSteps;
      evalSteps = a.evalSteps;
      evalStrategy = a.evalStrategy;
      earlyStopping = a.earlyStopping;
    }

    public Builder learningRate(double value) {
      learningRate = value;
      return this;
    }

    public Builder numTrainEpochs(double value) {
      numTrainEpochs = value;
      return this;
    }

    public Builder maxSteps(int value) {
      maxSteps = value;
      return this;
    }

    public Builder perDeviceTrainBatchSize(int value) {
      perDeviceTrainBatchSize = value;
      return this;
    }

    public Builder perDeviceEvalBatchSize(int value) {
      perDeviceEvalBatchSize = value;
      return this;
    }

    public Builder gradientAccumulationSteps(int value) {
      gradientAccumulationSteps = value;
      return this;
    }

    public Builder warmupSteps(int value) {
      warmupSteps = value;
      return this;
    }

    public Builder warmupRatio(double value) {
      warmupRatio = value;
      return this;
    }

    public Builder lrSchedulerType(LrSchedulerType value) {
      lrSchedulerType = value;
      return this;
    }

    public Builder optim(Optimizer value) {
      optim = value;
      return this;
    }

    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    public Builder adamBeta1(double value) {
      adamBeta1 = value;
      return this;
    }

    public Builder adamBeta2(double value) {
      adamBeta2 = value;
      return this;
    }

    public Builder adamEpsilon(double value) {
      adamEpsilon = value;
      return this;
    }

    public Builder maxGradNorm(double value) {
      maxGradNorm = value;
      return this;
    }

    public Builder bf16(boolean value) {
      bf16 = value;
      return this;
    }

    public Builder fp16(boolean value) {
      fp16 = value;
      return this;
    }

    public Builder gradientCheckpointing(boolean value) {
      gradientCheckpointing = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder loggingSteps(int value) {
      loggingSteps = value;
      return this;
    }

    public Builder saveSteps(int value) {
      saveSteps = value;
      return this;
    }

    public Builder evalSteps(int value) {
      evalSteps = value;
      return this;
    }

    public Builder evalStrategy(EvalStrategy value) {
      evalStrategy = Objects.requireNonNull(value, "evalStrategy");
      return this;
    }

    /** Turns early stopping on with these settings. */
    public Builder earlyStopping(EarlyStopping value) {
      earlyStopping = Optional.of(value);
      return this;
    }

    /** Turns early stopping off (the default). */
    public Builder noEarlyStopping() {
      earlyStopping = Optional.empty();
      return this;
    }

    /**
     * Builds the value.
     *
     * @throws dev.tune.core.error.InvalidSpecException listing every field out of range
     */
    public TrainingArguments build() {
      return new TrainingArguments(
          learningRate,
          numTrainEpochs,
          maxSteps,
          perDeviceTrainBatchSize,
          perDeviceEvalBatchSize,
          gradientAccumulationSteps,
          warmupSteps,
          warmupRatio,
          lrSchedulerType,
          optim,
          weightDecay,
          adamBeta1,
          adamBeta2,
          adamEpsilon,
          maxGradNorm,
          bf16,
          fp16,
          gradientCheckpointing,
          seed,
          loggingSteps,
          saveSteps,
          evalSteps == null ? loggingSteps : evalSteps,
          evalStrategy,
          earlyStopping);
    }
  }
}
