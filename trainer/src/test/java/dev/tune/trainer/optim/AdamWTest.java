package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

  private static final float[] START = {0.5f, -1.25f, 2.0f, 0.0f};
  private static final float[][] GRADS = {
    {0.1f, -0.2f, 0.3f, 0.0f},
    {0.4f, 0.1f, -0.5f, 1e-4f},
    {-0.3f, 0.2f, 0.2f, -2.0f},
    {0.05f, -0.6f, 0.1f, 0.7f},
    {0.2f, 0.2f, -0.1f, 0.3f},
    {-1.0f, 0.0f, 0.4f, -0.05f},
  };
  private static final double[] LRS = {0.1, 0.05, 0.02, 0.01, 0.3, 0.0};

  private NDManager manager;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void followsTorchAdamWWithDecoupledDecayAndBiasCorrection() {
    AdamWOptions options = new AdamWOptions(0.9, 0.999, 1e-8, 0.1);
    NDArray p = parameter(START);
    try (AdamW adamw = new AdamW(options, manager)) {
      double[] expected = toDouble(START);
      double[] m = new double[START.length];
      double[] v = new double[START.length];
      for (int t = 1; t <= GRADS.length; t++) {
        Gradients.set(p, GRADS[t - 1]);
        adamw.step(List.of(TrainableParameter.of("w", p)), LRS[t - 1]);
        torchAdamWStep(expected, m, v, GRADS[t - 1], LRS[t - 1], options, t);

        float[] actual = p.toFloatArray();
        for (int i = 0; i < actual.length; i++) {
          assertThat((double) actual[i])
              .as("step %d element %d", t, i)
              .isCloseTo(expected[i], within(2e-6));
        }
      }
      try (OptimizerState state = adamw.state(manager)) {
        float[] expAvg = state.tensors().get("w.exp_avg").toFloatArray();
        float[] expAvgSq = state.tensors().get("w.exp_avg_sq").toFloatArray();
        for (int i = 0; i < expAvg.length; i++) {
          assertThat((double) expAvg[i]).isCloseTo(m[i], within(1e-7));
          assertThat((double) expAvgSq[i]).isCloseTo(v[i], within(1e-8));
        }
        assertThat(state.metadataJson())
            .contains("\"step\":6")
            .contains("\"optimizer\":\"adamw_torch\"");
      }
    }
  }

  @Test
  void firstStepMovesEachWeightByAboutLrTimesTheGradientSign() {
    // After one step m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps).
    NDArray p = parameter(START);
    try (AdamW adamw = new AdamW(AdamWOptions.defaults(), manager)) {
      Gradients.set(p, GRADS[0]);
      adamw.step(List.of(TrainableParameter.of("w", p)), 1e-3);
    }
    float[] after = p.toFloatArray();
    assertThat((double) after[0]).isCloseTo(0.5 - 1e-3, within(1e-7));
    assertThat((double) after[1]).isCloseTo(-1.25 + 1e-3, within(1e-7));
    assertThat((double) after[2]).isCloseTo(2.0 - 1e-3, within(1e-7));
    assertThat(after[3]).as("zero gradient, zero update").isZero();
  }

  @Test
  void parametersExemptFromDecayAreNotShrunk() {
    AdamWOptions options = AdamWOptions.defaults().withWeightDecay(0.5);
    NDArray decayed = parameter(START);
    NDArray exempt = parameter(START);
    float[] zero = new float[START.length];
    try (AdamW adamw = new AdamW(options, manager)) {
      Gradients.set(decayed, zero);
      Gradients.set(exempt, zero);
      adamw.step(
          List.of(
              TrainableParameter.of("decayed", decayed),
              new TrainableParameter("exempt", exempt, false)),
          0.1);
    }
    assertThat(exempt.toFloatArray()).containsExactly(START);
    float[] shrunk = decayed.toFloatArray();
    for (int i = 0; i < START.length; i++) {
      assertThat(shrunk[i]).isEqualTo(START[i] * (float) (1 - 0.1 * 0.5));
    }
  }

  @Test
  void resumingFromSavedStateGivesBitIdenticalParameters() {
    AdamWOptions options = new AdamWOptions(0.8, 0.99, 1e-6, 0.01);
    NDArray straight = parameter(START);
    try (AdamW adamw = new AdamW(options, manager)) {
      for (int t = 0; t < GRADS.length; t++) {
        Gradients.set(straight, GRADS[t]);
        adamw.step(List.of(TrainableParameter.of("w", straight)), LRS[t]);
      }
    }

    NDArray resumed = parameter(START);
    OptimizerState saved;
    try (AdamW first = new AdamW(options, manager)) {
      for (int t = 0; t < 3; t++) {
        Gradients.set(resumed, GRADS[t]);
        first.step(List.of(TrainableParameter.of("w", resumed)), LRS[t]);
      }
      saved = first.state(manager);
    }
    try (AdamW second = new AdamW(options, manager);
        OptimizerState state = saved) {
      second.loadState(state);
      for (int t = 3; t < GRADS.length; t++) {
        Gradients.set(resumed, GRADS[t]);
        second.step(List.of(TrainableParameter.of("w", resumed)), LRS[t]);
      }
    }
    assertThat(resumed.toFloatArray()).containsExactly(straight.toFloatArray());
  }

  @Test
  void refusesStateOfOtherSettingsOrShapes() {
    NDArray p = parameter(START);
    OptimizerState saved;
    try (AdamW adamw = new AdamW(AdamWOptions.defaults(), manager)) {
      Gradients.set(p, GRADS[0]);
      adamw.step(List.of(TrainableParameter.of("w", p)), 0.1);
      saved = adamw.state(manager);
    }
    try (OptimizerState state = saved;
        AdamW otherDecay = new AdamW(AdamWOptions.defaults().withWeightDecay(0.1), manager);
        AdamW same = new AdamW(AdamWOptions.defaults(), manager)) {
      assertThatThrownBy(() -> otherDecay.loadState(state))
          .isInstanceOfSatisfying(
              BadInputException.class, e -> assertThat(e.fix()).contains("weight_decay"));
      same.loadState(state);
      NDArray wider = parameter(new float[] {1, 2, 3, 4, 5});
      Gradients.set(wider, new float[5]);
      assertThatThrownBy(() -> same.step(List.of(TrainableParameter.of("w", wider)), 0.1))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("'w' has shape (4)");
    }
  }

  @Test
  void zeroGradClearsAccumulatedGradients() {
    NDArray p = parameter(START);
    Gradients.set(p, GRADS[0]);
    Optimizer.zeroGrad(List.of(TrainableParameter.of("w", p)));
    assertThat(p.getGradient().toFloatArray()).containsOnly(0f);
  }

  @Test
  void nativeMemoryDoesNotGrowOver200Steps() {
    NDArray p = parameter(START);
    NDArray q = parameter(new float[] {1f, 2f});
    List<TrainableParameter> params =
        List.of(TrainableParameter.of("p", p), new TrainableParameter("q", q, false));
    try (AdamW adamw = new AdamW(AdamWOptions.defaults().withWeightDecay(0.01), manager)) {
      Gradients.set(p, GRADS[0]);
      Gradients.set(q, new float[] {0.5f, -0.5f});
      adamw.step(params, 1e-3);
      int afterFirst = manager.getManagedArrays().size();
      for (int i = 0; i < 200; i++) {
        adamw.step(params, 1e-3);
      }
      assertThat(manager.getManagedArrays()).hasSize(afterFirst);
    }
  }

  /** torch/optim/adamw.py single-tensor path, in double. */
  private static void torchAdamWStep(
      double[] p, double[] m, double[] v, float[] g, double lr, AdamWOptions o, int step) {
    for (int i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * o.weightDecay();
      m[i] = m[i] + (1 - o.beta1()) * (g[i] - m[i]);
      v[i] = v[i] * o.beta2() + (1 - o.beta2()) * g[i] * g[i];
      double biasCorrection1 = 1 - Math.pow(o.beta1(), step);
      double biasCorrection2 = 1 - Math.pow(o.beta2(), step);
      double denom = Math.sqrt(v[i]) / Math.sqrt(biasCorrection2) + o.eps();
      p[i] -= lr / biasCorrection1 * m[i] / denom;
    }
  }

  private NDArray parameter(float[] values) {
    NDArray array = manager.create(values, new Shape(values.length));
    array.setRequiresGradient(true);
    return array;
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
