package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class HiddenActivationTest {

  private static final float[] X = {-3f, -1.5f, -0.7f, 0f, 0.3f, 1f, 2.5f};

  @Test
  void siluIsXTimesSigmoidX() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] y = HiddenActivation.SILU.apply(m.create(X)).toFloatArray();
      for (int i = 0; i < X.length; i++) {
        double expected = X[i] / (1 + Math.exp(-X[i]));
        assertThat((double) y[i]).isCloseTo(expected, within(1e-6));
      }
    }
  }

  @Test
  void geluIsTheExactErfForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(X);
      float[] y = HiddenActivation.GELU.apply(x).toFloatArray();
      float[] erfForm = x.mul(0.5).mul(x.div(Math.sqrt(2)).erf().add(1)).toFloatArray();
      for (int i = 0; i < X.length; i++) {
        assertThat(y[i]).isCloseTo(erfForm[i], within(1e-6f));
        double tanhForm =
            0.5
                * X[i]
                * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (X[i] + 0.044715 * Math.pow(X[i], 3))));
        if (X[i] == -1.5f) {
          // the tanh approximation differs here by ~2e-4: the erf form is what "gelu" means
          assertThat(Math.abs(y[i] - tanhForm)).isGreaterThan(1e-4);
        }
      }
    }
  }

  @Test
  void unknownActivationsAreNamed() {
    assertThatThrownBy(() -> HiddenActivation.parse("relu2", "hidden_act", "config.json"))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("relu2")
        .extracting(e -> ((ModelConfigException) e).fix())
        .asString()
        .contains("silu, swish, gelu");
  }
}
