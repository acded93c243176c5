package dev.tune.trainer.train;

import dev.tune.core.train.EarlyStopping;
import java.util.Optional;

/**
 * Follows the evaluation losses of a run as transformers' Trainer and its {@code
 * EarlyStoppingCallback} do together: the callback compares each loss with the best before it (the
 * patience counter is reset only by an improvement of more than {@code min_delta}), and then the
 * Trainer records the loss as the new best if it is lower at all.
 */
final class EvalTracker {

  /** What one evaluation means for the run. */
  record Verdict(boolean newBest, boolean stop) {}

  private final Optional<EarlyStopping> rule;
  private Optional<BestEvaluation> best;
  private int withoutImprovement;

  EvalTracker(Optional<EarlyStopping> rule) {
    this(rule, Optional.empty(), 0);
  }

  EvalTracker(Optional<EarlyStopping> rule, Optional<BestEvaluation> best, int withoutImprovement) {
    this.rule = rule;
    this.best = best;
    this.withoutImprovement = withoutImprovement;
  }

  /** Records the evaluation at {@code step}. */
  Verdict observe(int step, double loss) {
    boolean stop = false;
    if (rule.isPresent()) {
      EarlyStopping r = rule.get();
      if (best.isEmpty() || r.improves(loss, best.get().loss())) {
        withoutImprovement = 0;
      } else {
        withoutImprovement++;
      }
      stop = withoutImprovement >= r.patience();
    }
    boolean newBest = best.isEmpty() || loss < best.get().loss();
    if (newBest) {
      best = Optional.of(new BestEvaluation(step, loss));
    }
    return new Verdict(newBest, stop);
  }

  /** Whether the best adapter is kept and returned (early stopping is on). */
  boolean keepsBest() {
    return rule.isPresent();
  }

  Optional<BestEvaluation> best() {
    return best;
  }

  /** The evaluations in a row without an improvement of more than {@code min_delta}. */
  int withoutImprovement() {
    return withoutImprovement;
  }
}
