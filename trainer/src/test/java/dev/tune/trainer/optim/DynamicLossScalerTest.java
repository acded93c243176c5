package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DynamicLossScalerTest {

  private NDManager manager;
  private NDArray p;
  private List<TrainableParameter> params;
  private final AtomicInteger optimizerSteps = new AtomicInteger();

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    p = manager.zeros(new Shape(3));
    p.setRequiresGradient(true);
    params = List.of(TrainableParameter.of("p", p));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void startsAtTwoToTheSixteenthAndScalesTheLoss() {
    try (DynamicLossScaler scaler = DynamicLossScaler.withTorchDefaults(manager)) {
      assertThat(scaler.currentScale()).isEqualTo(65536f);
      assertThat(scaler.scale(manager.create(1.5f)).getFloat()).isEqualTo(98304f);
    }
  }

  @Test
  void unscalesGradientsAndStepsWhenTheyAreFinite() {
    try (DynamicLossScaler scaler = DynamicLossScaler.withTorchDefaults(manager)) {
      Gradients.set(p, new float[] {65536f, -32768f, 6.5536f});
      scaler.unscale(params);
      assertThat(p.getGradient().toFloatArray()).containsExactly(1f, -0.5f, 6.5536f / 65536f);

      assertThat(scaler.step(params, optimizerSteps::incrementAndGet)).isTrue();
      scaler.update();

      assertThat(optimizerSteps).hasValue(1);
      assertThat(scaler.state()).isEqualTo(new LossScalerState(65536f, 1));
    }
  }

  @Test
  void skipsTheStepAndBacksOffOnInfOrNan() {
    try (DynamicLossScaler scaler = DynamicLossScaler.withTorchDefaults(manager)) {
      finiteIteration(scaler);
      Gradients.set(p, new float[] {1f, Float.POSITIVE_INFINITY, 1f});
      assertThat(scaler.step(params, optimizerSteps::incrementAndGet)).isFalse();
      scaler.update();
      assertThat(scaler.state()).isEqualTo(new LossScalerState(32768f, 0));

      Gradients.set(p, new float[] {Float.NaN, 1f, 1f});
      assertThat(scaler.step(params, optimizerSteps::incrementAndGet)).isFalse();
      scaler.update();

      assertThat(optimizerSteps).hasValue(1);
      assertThat(scaler.currentScale()).isEqualTo(16384f);
    }
  }

  @Test
  void growsAfterGrowthIntervalFiniteStepsInARow() {
    try (DynamicLossScaler scaler = new DynamicLossScaler(1024f, 2f, 0.5f, 3, manager)) {
      finiteIteration(scaler);
      finiteIteration(scaler);
      assertThat(scaler.state()).isEqualTo(new LossScalerState(1024f, 2));
      finiteIteration(scaler);
      assertThat(scaler.state()).isEqualTo(new LossScalerState(2048f, 0));

      finiteIteration(scaler);
      finiteIteration(scaler);
      Gradients.set(p, new float[] {Float.NEGATIVE_INFINITY, 0f, 0f});
      scaler.step(params, optimizerSteps::incrementAndGet);
      scaler.update();
      assertThat(scaler.state())
          .as("an overflow resets the count")
          .isEqualTo(new LossScalerState(1024f, 0));
      finiteIteration(scaler);
      finiteIteration(scaler);
      assertThat(scaler.currentScale()).isEqualTo(1024f);
      finiteIteration(scaler);
      assertThat(scaler.currentScale()).isEqualTo(2048f);
      assertThat(optimizerSteps).hasValue(8);
    }
  }

  @Test
  void neverGrowsToInfinity() {
    try (DynamicLossScaler scaler = new DynamicLossScaler(Float.MAX_VALUE, 2f, 0.5f, 1, manager)) {
      finiteIteration(scaler);
      assertThat(scaler.currentScale()).isEqualTo(Float.MAX_VALUE);
    }
  }

  @Test
  void stateRoundTripsThroughACheckpoint() {
    LossScalerState saved;
    try (DynamicLossScaler scaler = new DynamicLossScaler(1024f, 2f, 0.5f, 5, manager)) {
      finiteIteration(scaler);
      finiteIteration(scaler);
      saved = scaler.state();
    }
    try (DynamicLossScaler resumed = DynamicLossScaler.withTorchDefaults(manager)) {
      resumed.loadState(saved);
      assertThat(resumed.state()).isEqualTo(new LossScalerState(1024f, 2));
    }
  }

  @Test
  void enforcesTheOrderOfCalls() {
    try (DynamicLossScaler scaler = DynamicLossScaler.withTorchDefaults(manager)) {
      assertThatThrownBy(scaler::update).isInstanceOf(IllegalStateException.class);
      Gradients.set(p, new float[] {1f, 1f, 1f});
      scaler.unscale(params);
      assertThatThrownBy(() -> scaler.unscale(params))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("once per iteration");
    }
  }

  @Test
  void iterationsLeaveNoArraysBehind() {
    try (DynamicLossScaler scaler = DynamicLossScaler.withTorchDefaults(manager)) {
      Gradients.set(p, new float[] {1f, 2f, 3f});
      int before = manager.getManagedArrays().size();
      for (int i = 0; i < 200; i++) {
        scaler.step(params, optimizerSteps::incrementAndGet);
        scaler.update();
      }
      assertThat(manager.getManagedArrays()).hasSize(before);
    }
  }

  private void finiteIteration(DynamicLossScaler scaler) {
    Gradients.set(p, new float[] {1f, 2f, 3f});
    scaler.step(params, optimizerSteps::incrementAndGet);
    scaler.update();
  }
}
