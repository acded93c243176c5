package dev.tune.trainer.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.junit.jupiter.api.Test;

class DynamicMapTest {

  /**
   * Runs bitsandbytes' recipe step by step in libtorch (through DJL): torch.linspace, neighbour
   * means, the power-of-ten scale, concatenation, sort. The Java map must equal it bit for bit.
   */
  private static float[] computedByTorch(boolean signed) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList parts = new NDList();
      for (int i = 0; i < 7; i++) {
        int items = signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
        NDArray b = m.linspace(0.1f, 1f, items);
        NDArray means = b.get(new NDIndex("0:-1")).add(b.get(new NDIndex("1:"))).div(2.0);
        double scale = Math.pow(10, -6 + i);
        parts.add(means.mul(scale));
        if (signed) {
          parts.add(means.mul(-scale));
        }
      }
      parts.add(m.create(new float[] {0f, 1f}));
      return NDArrays.concat(parts).sort().toFloatArray();
    }
  }

  @Test
  void signedMapEqualsTorchComputationBitForBit() {
    assertThat(DynamicMap.signed()).containsExactly(computedByTorch(true));
  }

  @Test
  void unsignedMapEqualsTorchComputationBitForBit() {
    assertThat(DynamicMap.unsigned()).containsExactly(computedByTorch(false));
  }

  @Test
  void signedMapIsSymmetricAroundZeroExceptForOne() {
    float[] map = DynamicMap.signed();
    assertThat(map).hasSize(256).doesNotHaveDuplicates().isSorted();
    assertThat(map[255]).isEqualTo(1f);
    assertThat(map[127]).isEqualTo(0f);
    // 127 negatives, zero, 127 positives below one, one: each negative mirrors a positive.
    for (int k = 0; k < 127; k++) {
      assertThat(map[k]).isEqualTo(-map[254 - k]);
    }
    assertThat(map[0]).isGreaterThan(-1f).isLessThan(-0.99f);
    assertThat(map[128]).isPositive().isLessThan(1e-6f);
  }

  @Test
  void unsignedMapSpansZeroToOne() {
    float[] map = DynamicMap.unsigned();
    assertThat(map).hasSize(256).doesNotHaveDuplicates().isSorted();
    assertThat(map[0]).isEqualTo(0f);
    assertThat(map[255]).isEqualTo(1f);
    assertThat(map[1]).isPositive().isLessThan(1e-6f);
  }

  @Test
  void linspaceMatchesTorch() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (int steps : new int[] {2, 3, 9, 65, 129}) {
        assertThat(DynamicMap.linspace(0.1f, 1f, steps))
            .as("steps=%d", steps)
            .containsExactly(m.linspace(0.1f, 1f, steps).toFloatArray());
      }
    }
  }

  @Test
  void smallerMapsArePaddedWithZeros() {
    float[] fourBit = DynamicMap.create(true, 3, 4);
    assertThat(fourBit).hasSize(256).isSorted();
    long nonZero = 0;
    for (float v : fourBit) {
      if (v != 0f) {
        nonZero++;
      }
    }
    assertThat(nonZero).isEqualTo(15); // 16 values of which one is zero
  }

  @Test
  void rejectsParametersWhoseMapHasTheWrongSize() {
    assertThatThrownBy(() -> DynamicMap.create(false, 5, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instead of 256");
    assertThatThrownBy(() -> DynamicMap.create(true, 8, 8))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void returnsCopies() {
    DynamicMap.signed()[0] = 42f;
    assertThat(DynamicMap.signed()[0]).isNotEqualTo(42f);
  }
}
