package dev.tune.trainer.optim;

import dev.tune.core.error.BadInputException;

/**
 * The AdamW hyperparameters other than the learning rate, which comes from the schedule at each
 * step. Defaults are HF {@code TrainingArguments}': betas (0.9, 0.999), eps 1e-8, weight decay 0.
 */
public record AdamWOptions(double beta1, double beta2, double eps, double weightDecay) {

  /** HF Trainer's default learning rate, for callers without a configured one. */
  public static final double DEFAULT_LR = 5e-5;

  public AdamWOptions {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new BadInputException(
          "adam_beta1 must be in [0, 1), got " + beta1, "set adam_beta1 to e.g. 0.9 (HF default)");
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new BadInputException(
          "adam_beta2 must be in [0, 1), got " + beta2,
          "set adam_beta2 to e.g. 0.999 (HF default)");
    }
    if (!(eps >= 0)) {
      throw new BadInputException(
          "adam_epsilon must be >= 0, got " + eps, "set adam_epsilon to e.g. 1e-8 (HF default)");
    }
    if (!(weightDecay >= 0)) {
      throw new BadInputException(
          "weight_decay must be >= 0, got " + weightDecay,
          "set weight_decay to 0 or a small positive value");
    }
  }

  /** Throws unless {@code lr} is a usable learning rate. */
  static void checkLearningRate(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
  }

  /** HF's defaults. */
  public static AdamWOptions defaults() {
    return new AdamWOptions(0.9, 0.999, 1e-8, 0.0);
  }

  /** These options with another weight decay. */
  public AdamWOptions withWeightDecay(double value) {
    return new AdamWOptions(beta1, beta2, eps, value);
  }
}
