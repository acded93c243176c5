package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.train.EarlyStopping;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvalTrackerTest {

  @Test
  void stopsAfterPatienceEvaluationsWithoutImprovement() {
    EvalTracker tracker = new EvalTracker(Optional.of(new EarlyStopping(2, 0.0)));

    assertThat(tracker.observe(10, 2.0)).isEqualTo(new EvalTracker.Verdict(true, false));
    assertThat(tracker.observe(20, 1.5)).isEqualTo(new EvalTracker.Verdict(true, false));
    assertThat(tracker.observe(30, 1.6)).isEqualTo(new EvalTracker.Verdict(false, false));
    assertThat(tracker.observe(40, 1.5)).isEqualTo(new EvalTracker.Verdict(false, true));
    assertThat(tracker.best()).contains(new BestEvaluation(20, 1.5));
  }

  @Test
  void anImprovementBelowMinDeltaBecomesTheBestButDoesNotResetPatience() {
    EvalTracker tracker = new EvalTracker(Optional.of(new EarlyStopping(2, 0.1)));

    tracker.observe(1, 2.0);
    assertThat(tracker.observe(2, 1.95)).isEqualTo(new EvalTracker.Verdict(true, false));
    assertThat(tracker.withoutImprovement()).isEqualTo(1);
    // 1.80 is 0.15 below the best (1.95): an improvement, the counter starts again
    assertThat(tracker.observe(3, 1.80)).isEqualTo(new EvalTracker.Verdict(true, false));
    assertThat(tracker.withoutImprovement()).isZero();
    tracker.observe(4, 1.75);
    assertThat(tracker.observe(5, 1.74)).isEqualTo(new EvalTracker.Verdict(true, true));
    assertThat(tracker.best()).contains(new BestEvaluation(5, 1.74));
  }

  @Test
  void withoutEarlyStoppingItOnlyFollowsTheBest() {
    EvalTracker tracker = new EvalTracker(Optional.empty());

    tracker.observe(1, 1.0);
    for (int step = 2; step < 10; step++) {
      assertThat(tracker.observe(step, 2.0).stop()).isFalse();
    }
    assertThat(tracker.keepsBest()).isFalse();
    assertThat(tracker.best()).contains(new BestEvaluation(1, 1.0));
  }

  @Test
  void aResumedTrackerContinuesTheCount() {
    EvalTracker tracker =
        new EvalTracker(
            Optional.of(new EarlyStopping(2, 0.0)), Optional.of(new BestEvaluation(5, 1.0)), 1);

    assertThat(tracker.observe(6, 1.0).stop()).isTrue();
  }
}
