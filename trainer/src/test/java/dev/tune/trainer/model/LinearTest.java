package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LinearTest {

  private static final float[] W = {1, 2, 3, -1, 0, 0.5f}; // [out=2, in=3]
  private static final float[] B = {0.25f, -2};
  private static final float[] X = {1, -1, 2, 0.5f, 4, -3}; // [2, 3]

  private static float[] expected(boolean withBias) {
    float[] out = new float[4];
    for (int r = 0; r < 2; r++) {
      for (int o = 0; o < 2; o++) {
        float s = withBias ? B[o] : 0;
        for (int i = 0; i < 3; i++) {
          s += X[r * 3 + i] * W[o * 3 + i];
        }
        out[r * 2 + o] = s;
      }
    }
    return out;
  }

  @Test
  void projectsWithWeightAndBias() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear linear =
          new Linear(
              "p",
              3,
              2,
              new DenseWeight(m.create(W, new Shape(2, 3))),
              m.create(B),
              DataType.FLOAT32);
      float[] y = linear.forward(m.create(X, new Shape(2, 3))).toFloatArray();
      assertThat(y).containsExactly(expected(true), within(1e-6f));
    }
  }

  @Test
  void addsTheAdapterDeltaComputedFromTheInput() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear linear =
          new Linear(
              "p", 3, 2, new DenseWeight(m.create(W, new Shape(2, 3))), null, DataType.FLOAT32);
      NDArray x = m.create(X, new Shape(2, 3));
      linear.setAdapter(in -> in.sum(new int[] {-1}, true).repeat(-1, 2));
      float[] y = linear.forward(x).toFloatArray();
      float[] base = expected(false);
      for (int r = 0; r < 2; r++) {
        float rowSum = X[r * 3] + X[r * 3 + 1] + X[r * 3 + 2];
        assertThat(y[r * 2]).isCloseTo(base[r * 2] + rowSum, within(1e-5f));
        assertThat(y[r * 2 + 1]).isCloseTo(base[r * 2 + 1] + rowSum, within(1e-5f));
      }
      assertThat(linear.removeAdapter()).isPresent();
      assertThat(linear.forward(x).toFloatArray()).containsExactly(base, within(1e-6f));
    }
  }

  @Test
  void computesInTheComputeDtypeAndReturnsTheInputDtype() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear linear =
          new Linear(
              "p",
              3,
              2,
              new DenseWeight(m.create(W, new Shape(2, 3))),
              m.create(B),
              DataType.FLOAT16);
      NDArray y = linear.forward(m.create(X, new Shape(2, 3)));
      assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(y.toFloatArray()).containsExactly(expected(true), within(1e-2f));
    }
  }

  @Test
  void replacingTheWeightChangesTheProjection() {
    try (NDManager m = NDManager.newBaseManager()) {
      Linear linear =
          new Linear(
              "p", 3, 2, new DenseWeight(m.create(W, new Shape(2, 3))), null, DataType.FLOAT32);
      NDArray doubled = m.create(W, new Shape(2, 3)).mul(2);
      LinearWeight previous = linear.replaceWeight(dtype -> doubled.toType(dtype, false));
      assertThat(previous).isInstanceOf(DenseWeight.class);
      float[] y = linear.forward(m.create(X, new Shape(2, 3))).toFloatArray();
      float[] base = expected(false);
      for (int i = 0; i < 4; i++) {
        assertThat(y[i]).isCloseTo(2 * base[i], within(1e-5f));
      }
    }
  }
}
