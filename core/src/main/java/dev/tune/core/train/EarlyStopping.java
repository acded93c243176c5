package dev.tune.core.train;

import dev.tune.core.error.Violations;

/**
 * Stops training when the evaluation loss stops improving ({@code training.early_stopping}), with
 * the semantics of transformers' {@code EarlyStoppingCallback}: an evaluation counts as an
 * improvement only when its loss is below the best so far by more than {@code minDelta}; after
 * {@code patience} evaluations in a row without one, training stops. The adapter of the evaluation
 * with the lowest loss is the one the run returns.
 *
 * @param patience evaluations without improvement before stopping (transformers' {@code
 *     early_stopping_patience})
 * @param minDelta how much lower the loss must be to count as better (transformers' {@code
 *     early_stopping_threshold})
 */
public record EarlyStopping(int patience, double minDelta) {

  /** transformers' default patience. */
  public static final int DEFAULT_PATIENCE = 1;

  /** transformers' default threshold. */
  public static final double DEFAULT_MIN_DELTA = 0.0;

  public EarlyStopping {
    Violations v = new Violations("early stopping");
    v.check(patience >= 1, "early_stopping.patience", patience, "an integer >= 1");
    v.check(
        minDelta >= 0 && Double.isFinite(minDelta),
        "early_stopping.min_delta",
        minDelta,
        "a number >= 0");
    v.throwIfAny();
  }

  /**
   * Whether {@code loss} is an improvement over {@code best} by the callback's rule: lower, and by
   * more than {@code minDelta}.
   */
  public boolean improves(double loss, double best) {
    return loss < best && Math.abs(loss - best) > minDelta;
  }
}
