package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tune.core.error.BadInputException;
import org.junit.jupiter.api.Test;

class LrScheduleTest {

  private static final double BASE = 2e-4;
  private static final double TOL = 1e-15;

  @Test
  void linearWarmsUpFromZeroThenDecaysToZeroAndStaysThere() {
    LrSchedule schedule = LrSchedule.of(LrScheduleType.LINEAR, BASE, 10, 110);

    assertThat(schedule.lr(0)).isZero();
    assertThat(schedule.lr(1)).isCloseTo(BASE / 10, within(TOL));
    assertThat(schedule.lr(5)).isCloseTo(BASE / 2, within(TOL));
    assertThat(schedule.lr(9)).isCloseTo(BASE * 0.9, within(TOL));
    assertThat(schedule.lr(10)).isEqualTo(BASE);
    assertThat(schedule.lr(60)).isCloseTo(BASE / 2, within(TOL));
    assertThat(schedule.lr(109)).isCloseTo(BASE / 100, within(TOL));
    assertThat(schedule.lr(110)).isZero();
    assertThat(schedule.lr(500)).isZero();
  }

  @Test
  void cosineFollowsAHalfWaveAfterWarmup() {
    LrSchedule schedule = LrSchedule.of(LrScheduleType.COSINE, BASE, 10, 110);

    assertThat(schedule.lr(0)).isZero();
    assertThat(schedule.lr(5)).isCloseTo(BASE / 2, within(TOL));
    assertThat(schedule.lr(10)).isEqualTo(BASE);
    // a quarter of the way: 0.5 * (1 + cos(pi / 4))
    assertThat(schedule.lr(35)).isCloseTo(BASE * 0.8535533905932737, within(TOL));
    assertThat(schedule.lr(60)).isCloseTo(BASE / 2, within(TOL));
    assertThat(schedule.lr(85)).isCloseTo(BASE * 0.14644660940672627, within(TOL));
    assertThat(schedule.lr(110)).isCloseTo(0, within(TOL));
    // past the end the wave rises again in HF: cos is evaluated, only negatives are clamped
    assertThat(schedule.lr(135)).isCloseTo(BASE * 0.14644660940672627, within(TOL));
  }

  @Test
  void constantIgnoresWarmupAndConstantWithWarmupUsesIt() {
    LrSchedule constant = LrSchedule.of(LrScheduleType.CONSTANT, BASE, 10, 100);
    LrSchedule warm = LrSchedule.of(LrScheduleType.CONSTANT_WITH_WARMUP, BASE, 4, 100);

    assertThat(constant.lr(0)).isEqualTo(BASE);
    assertThat(constant.lr(1000)).isEqualTo(BASE);
    assertThat(warm.lr(0)).isZero();
    assertThat(warm.lr(2)).isCloseTo(BASE / 2, within(TOL));
    assertThat(warm.lr(4)).isEqualTo(BASE);
    assertThat(warm.lr(1000)).isEqualTo(BASE);
  }

  @Test
  void everyStepMatchesTheTransformersLambdas() {
    int[][] shapes = {{0, 1}, {0, 37}, {1, 1}, {3, 3}, {5, 37}, {37, 37}, {12, 250}};
    for (LrScheduleType type : LrScheduleType.values()) {
      for (int[] shape : shapes) {
        int warmup = shape[0];
        int total = shape[1];
        LrSchedule schedule = new LrSchedule(type, BASE, warmup, total, 0.5);
        for (int step = 0; step <= total + 3; step++) {
          assertThat(schedule.lr(step))
              .as("%s warmup %d total %d step %d", type, warmup, total, step)
              .isCloseTo(BASE * hfLambda(type, warmup, total, 0.5, step), within(TOL));
        }
      }
    }
  }

  @Test
  void cosineCyclesAreConfigurable() {
    LrSchedule oneWave = new LrSchedule(LrScheduleType.COSINE, BASE, 0, 100, 1.0);
    assertThat(oneWave.lr(50)).isCloseTo(0, within(TOL));
    assertThat(oneWave.lr(100)).isCloseTo(BASE, within(TOL));
  }

  @Test
  void warmupRatioRoundsUpAndExplicitStepsWin() {
    assertThat(LrSchedule.warmupSteps(1000, 0, 0.03)).isEqualTo(30);
    assertThat(LrSchedule.warmupSteps(101, 0, 0.03)).isEqualTo(4); // 3.03 -> 4
    assertThat(LrSchedule.warmupSteps(100, 0, 0.0)).isZero();
    assertThat(LrSchedule.warmupSteps(100, 7, 0.5)).isEqualTo(7);
    assertThatThrownBy(() -> LrSchedule.warmupSteps(100, 0, 1.5))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("warmup_ratio");
  }

  @Test
  void parsesConfigNames() {
    assertThat(LrScheduleType.fromConfigName("cosine")).isEqualTo(LrScheduleType.COSINE);
    assertThat(LrScheduleType.fromConfigName(" Linear ")).isEqualTo(LrScheduleType.LINEAR);
    assertThat(LrScheduleType.fromConfigName("constant_with_warmup"))
        .isEqualTo(LrScheduleType.CONSTANT_WITH_WARMUP);
    assertThatThrownBy(() -> LrScheduleType.fromConfigName("polynomial"))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> assertThat(e.fix()).contains("constant, constant_with_warmup, linear, cosine"));
  }

  /** transformers/optimization.py, written out independently of the class under test. */
  private static double hfLambda(
      LrScheduleType type, int warmup, int total, double cycles, int step) {
    if (type == LrScheduleType.CONSTANT) {
      return 1.0;
    }
    if (step < warmup) {
      return step / (double) Math.max(1, warmup);
    }
    double progress = (step - warmup) / (double) Math.max(1, total - warmup);
    return switch (type) {
      case CONSTANT, CONSTANT_WITH_WARMUP -> 1.0;
      case LINEAR -> Math.max(0.0, (total - step) / (double) Math.max(1, total - warmup));
      case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * progress)));
    };
  }
}
