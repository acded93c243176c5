package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientClipperTest {

  private NDManager manager;
  private NDArray a;
  private NDArray b;
  private List<TrainableParameter> params;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    a = parameter(2);
    b = parameter(1);
    params = List.of(TrainableParameter.of("a", a), TrainableParameter.of("b", b));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void scalesAllGradientsByMaxNormOverTotalNormPlusEpsilon() {
    Gradients.set(a, new float[] {3f, 4f});
    Gradients.set(b, new float[] {12f});
    try (GradientClipper clipper = new GradientClipper(1.0, manager);
        NDArray total = clipper.clip(params, manager)) {
      assertThat(total.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(total.getFloat()).isEqualTo(13f);
    }
    double coefficient = 1.0 / (13.0 + 1e-6);
    float[] clippedA = a.getGradient().toFloatArray();
    assertThat((double) clippedA[0]).isCloseTo(3 * coefficient, within(1e-7));
    assertThat((double) clippedA[1]).isCloseTo(4 * coefficient, within(1e-7));
    assertThat((double) b.getGradient().getFloat(0)).isCloseTo(12 * coefficient, within(1e-7));
  }

  @Test
  void leavesGradientsBelowTheMaximumUnchanged() {
    Gradients.set(a, new float[] {0.3f, -0.4f});
    Gradients.set(b, new float[] {1.2f});
    try (GradientClipper clipper = new GradientClipper(5.0, manager);
        NDArray total = clipper.clip(params, manager)) {
      assertThat((double) total.getFloat()).isCloseTo(1.3, within(1e-6));
    }
    assertThat(a.getGradient().toFloatArray()).containsExactly(0.3f, -0.4f);
    assertThat(b.getGradient().toFloatArray()).containsExactly(1.2f);
  }

  @Test
  void aNonFiniteGradientMakesTheNormAndEveryGradientNonFinite() {
    Gradients.set(a, new float[] {Float.NaN, 1f});
    Gradients.set(b, new float[] {2f});
    try (GradientClipper clipper = new GradientClipper(1.0, manager);
        NDArray total = clipper.clip(params, manager)) {
      assertThat(total.getFloat()).isNaN();
    }
    assertThat(b.getGradient().getFloat(0)).isNaN();
  }

  @Test
  void halfPrecisionGradientsAreNormedInFp32() {
    NDArray half = manager.create(new float[] {300f, 400f}).toType(DataType.FLOAT16, false);
    half.setRequiresGradient(true);
    Gradients.set(half, new float[] {300f, 400f});
    // 300^2 + 400^2 overflows fp16 (max 65504) but not fp32.
    try (GradientClipper clipper = new GradientClipper(1.0, manager);
        NDArray total = clipper.clip(List.of(TrainableParameter.of("h", half)), manager)) {
      assertThat(total.getFloat()).isEqualTo(500f);
    }
  }

  @Test
  void noParametersGiveAZeroNorm() {
    try (GradientClipper clipper = new GradientClipper(1.0, manager);
        NDArray total = clipper.clip(List.of(), manager)) {
      assertThat(total.getShape()).isEqualTo(new Shape());
      assertThat(total.getFloat()).isZero();
    }
  }

  @Test
  void rejectsNonPositiveMaxNorm() {
    assertThatThrownBy(() -> new GradientClipper(0, manager))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("max_grad_norm");
  }

  @Test
  void clippingRepeatedlyLeavesNoArraysBehind() {
    Gradients.set(a, new float[] {3f, 4f});
    Gradients.set(b, new float[] {12f});
    try (GradientClipper clipper = new GradientClipper(1.0, manager)) {
      int before = manager.getManagedArrays().size();
      for (int i = 0; i < 200; i++) {
        clipper.clip(params, manager).close();
      }
      assertThat(manager.getManagedArrays()).hasSize(before);
    }
  }

  private NDArray parameter(int size) {
    NDArray array = manager.zeros(new Shape(size));
    array.setRequiresGradient(true);
    return array;
  }
}
