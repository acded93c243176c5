package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataScheduleTest {

  @Test
  void everyEpochVisitsEveryExampleOnceInItsOwnOrder() {
    DataSchedule schedule = new DataSchedule(10, 3, 2, 42);
    assertThat(schedule.batchesPerEpoch()).isEqualTo(4);
    assertThat(schedule.stepsPerEpoch()).isEqualTo(2);
    List<List<Integer>> epochs = new ArrayList<>();
    for (int epoch = 0; epoch < 3; epoch++) {
      List<Integer> seen = new ArrayList<>();
      for (int step = epoch * 2; step < epoch * 2 + 2; step++) {
        schedule.microBatches(step).forEach(b -> Arrays.stream(b).forEach(seen::add));
      }
      assertThat(seen).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).boxed().toList());
      epochs.add(seen);
    }
    assertThat(epochs.get(0)).isNotEqualTo(epochs.get(1));
    assertThat(epochs.get(1)).isNotEqualTo(epochs.get(2));
  }

  @Test
  void batchesAreCutFromTheShuffleAndTheLastStepOfAnEpochMayBeShort() {
    DataSchedule schedule = new DataSchedule(10, 3, 2, 7);
    int[] order = schedule.order(0);
    List<int[]> first = schedule.microBatches(0);
    List<int[]> last = schedule.microBatches(1);
    assertThat(first).hasSize(2);
    assertThat(first.get(0)).containsExactly(order[0], order[1], order[2]);
    assertThat(first.get(1)).containsExactly(order[3], order[4], order[5]);
    assertThat(last).hasSize(2);
    assertThat(last.get(1)).containsExactly(order[9]);
  }

  @Test
  void theOrderIsAFunctionOfSeedAndEpoch() {
    assertThat(new DataSchedule(50, 4, 1, 42).order(3))
        .containsExactly(new DataSchedule(50, 4, 1, 42).order(3));
    assertThat(new DataSchedule(50, 4, 1, 42).order(3))
        .isNotEqualTo(new DataSchedule(50, 4, 1, 43).order(3));
  }

  @Test
  void totalStepsFollowMaxStepsOrTheEpochs() {
    DataSchedule schedule = new DataSchedule(10, 3, 2, 1);
    assertThat(schedule.totalSteps(3.0, -1)).isEqualTo(6);
    assertThat(schedule.totalSteps(1.5, -1)).isEqualTo(3);
    assertThat(schedule.totalSteps(3.0, 11)).isEqualTo(11);
    assertThat(schedule.epochOf(5)).isEqualTo(2);
  }

  @Test
  void refusesAnEmptyDataSet() {
    assertThatThrownBy(() -> new DataSchedule(0, 8, 1, 1))
        .hasMessageContaining("no training examples");
  }
}
