package dev.tune.trainer.optim;

import dev.tune.core.error.BadInputException;

/**
 * The learning rate of each optimizer step, as transformers' {@code get_scheduler} with a {@code
 * LambdaLR} computes it.
 *
 * <p>{@code step} counts the optimizer steps already taken: the first update uses {@code lr(0)},
 * which is 0 whenever there is warmup, as in HF. HF Trainer does not advance the schedule on a step
 * the fp16 loss scaler skipped; callers keep that count.
 *
 * @param type the schedule
 * @param baseLr the peak learning rate ({@code learning_rate})
 * @param warmupSteps steps of linear warmup from 0
 * @param totalSteps all optimizer steps of the run ({@code num_training_steps})
 * @param numCycles cosine waves over the decay phase; HF's default 0.5 is a half wave to 0
 */
public record LrSchedule(
    LrScheduleType type, double baseLr, int warmupSteps, int totalSteps, double numCycles) {

  /** HF's default {@code num_cycles} of the cosine schedule. */
  public static final double HALF_COSINE = 0.5;

  public LrSchedule {
    if (baseLr < 0 || Double.isNaN(baseLr)) {
      throw new BadInputException(
          "learning_rate must be >= 0, got " + baseLr, "set learning_rate, e.g. 2e-4 for QLoRA");
    }
    if (warmupSteps < 0) {
      throw new BadInputException(
          "warmup steps must be >= 0, got " + warmupSteps, "set warmup_steps to 0 or more");
    }
    if (totalSteps < 0) {
      throw new BadInputException(
          "total training steps must be >= 0, got " + totalSteps,
          "set max_steps or num_train_epochs so the run has steps");
    }
  }

  /** A schedule with HF's default {@code num_cycles}. */
  public static LrSchedule of(LrScheduleType type, double baseLr, int warmupSteps, int totalSteps) {
    return new LrSchedule(type, baseLr, warmupSteps, totalSteps, HALF_COSINE);
  }

  /**
   * The warmup length as {@code TrainingArguments.get_warmup_steps}: explicit steps when positive,
   * else {@code ceil(ratio * totalSteps)}.
   */
  public static int warmupSteps(int totalSteps, int warmupSteps, double warmupRatio) {
    if (warmupSteps > 0) {
      return warmupSteps;
    }
    if (warmupRatio < 0 || warmupRatio > 1 || Double.isNaN(warmupRatio)) {
      throw new BadInputException(
          "warmup_ratio must be in [0, 1], got " + warmupRatio, "set warmup_ratio, e.g. 0.03");
    }
    return (int) Math.ceil(totalSteps * warmupRatio);
  }

  /** The learning rate for the update after {@code step} earlier updates. */
  public double lr(int step) {
    return baseLr * factor(step);
  }

  /** The multiplier of {@link #baseLr} at {@code step}, the {@code lr_lambda} of HF. */
  public double factor(int step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (type == LrScheduleType.CONSTANT) {
      return 1.0;
    }
    if (step < warmupSteps) {
      return (double) step / Math.max(1, warmupSteps);
    }
    return switch (type) {
      case CONSTANT, CONSTANT_WITH_WARMUP -> 1.0;
      case LINEAR ->
          Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
      case COSINE -> {
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
      }
    };
  }
}
