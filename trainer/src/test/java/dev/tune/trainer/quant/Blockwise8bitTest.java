package dev.tune.trainer.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Blockwise8bitTest {

  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /**
   * Reference encoder written from the description of bitsandbytes' CUDA {@code dQuantize}: a
   * 7-step binary search from index 127 that tracks the last entries it went above and below, then
   * picks between the landing entry and its neighbour by a float midpoint test.
   */
  static int referenceEncode(float[] code, float x) {
    int at = 127;
    int below = 0; // last index whose value x exceeded
    int above = 255; // last index whose value x did not exceed
    float belowValue = -1f;
    float aboveValue = 1f;
    for (int jump = 64; jump >= 1; jump /= 2) {
      if (x > code[at]) {
        below = at;
        belowValue = code[at];
        at += jump;
      } else {
        above = at;
        aboveValue = code[at];
        at -= jump;
      }
    }
    if (above == 255) {
      aboveValue = code[255];
    }
    if (below == 0) {
      belowValue = code[0];
    }
    float landed = code[at];
    if (x > landed) {
      return x > (aboveValue + landed) * 0.5f ? above : at;
    }
    return x < (belowValue + landed) * 0.5f ? below : at;
  }

  /** Reference blockwise quantization: absmax per block, x * (1 / absmax), reference encoder. */
  static int[] referenceCodes(float[] values, float[] code, int blocksize, float[] absmaxOut) {
    int[] out = new int[values.length];
    for (int start = 0, b = 0; start < values.length; start += blocksize, b++) {
      int end = Math.min(values.length, start + blocksize);
      float absmax = 0f;
      for (int i = start; i < end; i++) {
        absmax = Math.max(absmax, Math.abs(values[i]));
      }
      absmaxOut[b] = absmax;
      float inverse = 1f / absmax;
      for (int i = start; i < end; i++) {
        out[i] = referenceEncode(code, values[i] * inverse);
      }
    }
    return out;
  }

  private static float[] gaussian(int n, long seed, float scale) {
    Random random = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian() * scale;
    }
    return v;
  }

  @Test
  void codesAndAbsmaxEqualTheReferenceForBothMapsAndOddSizes() {
    for (Blockwise8bit format :
        new Blockwise8bit[] {
          Blockwise8bit.signed(), Blockwise8bit.unsigned(), Blockwise8bit.signed(64)
        }) {
      for (int n : new int[] {1, 255, 256, 1000, 4096 + 17}) {
        float[] values = gaussian(n, n, 0.02f);
        if (!format.isSigned()) {
          for (int i = 0; i < n; i++) {
            values[i] = values[i] * values[i];
          }
        }
        float[] expectedAbsmax = new float[(int) format.blocks(n)];
        int[] expected = referenceCodes(values, format.code(), format.blocksize(), expectedAbsmax);
        try (Blockwise8bitTensor q = format.quantize(values, manager)) {
          assertThat(q.codes().toUint8Array()).as("%s n=%d", format, n).containsExactly(expected);
          assertThat(q.absmax().toFloatArray()).containsExactly(expectedAbsmax);
          assertThat(q.shape()).isEqualTo(new Shape(n));
        }
      }
    }
  }

  @Test
  void valuesExactlyOnMidpointsRoundLikeTheKernel() {
    for (Blockwise8bit format :
        new Blockwise8bit[] {Blockwise8bit.signed(), Blockwise8bit.unsigned()}) {
      float[] code = format.code();
      // One block: a 1.0 fixes absmax to 1, then every midpoint and its float neighbours.
      float[] values = new float[1 + 3 * 255];
      values[0] = 1f;
      for (int k = 0; k < 255; k++) {
        float mid = (code[k] + code[k + 1]) * 0.5f;
        values[1 + 3 * k] = mid;
        values[2 + 3 * k] = Math.nextDown(mid);
        values[3 + 3 * k] = Math.nextUp(mid);
      }
      float[] absmax = new float[(int) Blockwise8bit.signed(1024).blocks(values.length)];
      int[] expected = referenceCodes(values, code, 1024, absmax);
      Blockwise8bit oneBlock =
          format.isSigned() ? Blockwise8bit.signed(1024) : Blockwise8bit.unsigned(1024);
      try (Blockwise8bitTensor q = oneBlock.quantize(values, manager)) {
        assertThat(q.codes().toUint8Array()).containsExactly(expected);
      }
      // The tie rule really alternates: midpoint k goes to the even one of k and k+1.
      assertThat(expected[1 + 3 * 10]).isEqualTo(10);
      assertThat(expected[1 + 3 * 11]).isEqualTo(12);
    }
  }

  @Test
  void roundTripErrorStaysWithinHalfTheWidestGapOfTheMap() {
    Blockwise8bit format = Blockwise8bit.signed();
    float[] code = format.code();
    float widest = 1f + code[0]; // from -1 up to the lowest entry
    for (int k = 0; k < 255; k++) {
      widest = Math.max(widest, (code[k + 1] - code[k]) / 2f);
    }
    float[] values = gaussian(5000, 7, 3f);
    try (Blockwise8bitTensor q = format.quantize(values, manager);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      float[] restored = back.toFloatArray();
      float[] absmax = q.absmax().toFloatArray();
      for (int i = 0; i < values.length; i++) {
        float bound = absmax[i / 256] * widest * 1.0001f;
        assertThat(Math.abs(restored[i] - values[i])).as("index %d", i).isLessThanOrEqualTo(bound);
      }
      // On average it is far better than the worst case (the map has fine steps near zero).
      double relative = 0;
      for (int i = 0; i < values.length; i++) {
        relative += Math.abs(restored[i] - values[i]) / absmax[i / 256];
      }
      assertThat(relative / values.length).isLessThan(widest / 2);
    }
  }

  @Test
  void dequantizeIsCodeTimesAbsmax() {
    float[] values = gaussian(600, 3, 1f);
    float[] code = Blockwise8bit.signed().code();
    try (Blockwise8bitTensor q = Blockwise8bit.signed().quantize(values, manager);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      int[] codes = q.codes().toUint8Array();
      float[] absmax = q.absmax().toFloatArray();
      float[] restored = back.toFloatArray();
      for (int i = 0; i < values.length; i++) {
        assertThat(restored[i]).isEqualTo(code[codes[i]] * absmax[i / 256]);
      }
    }
  }

  @Test
  void keepsShapeAndAcceptsFp16InputAndOutput() {
    float[] values = gaussian(3 * 100, 11, 1f);
    try (NDArray fp32 = manager.create(values, new Shape(3, 100));
        NDArray fp16 = fp32.toType(DataType.FLOAT16, true);
        Blockwise8bitTensor q = Blockwise8bit.signed().quantize(fp16);
        NDArray back = q.dequantize(DataType.FLOAT16);
        NDArray back32 = q.dequantize(DataType.FLOAT32);
        NDArray expected = back32.toType(DataType.FLOAT16, true)) {
      assertThat(q.codes().getShape()).isEqualTo(new Shape(3, 100));
      assertThat(back.getShape()).isEqualTo(new Shape(3, 100));
      assertThat(back.getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(back.contentEquals(expected)).isTrue();
    }
  }

  @Test
  void allZeroBlocksEncodeAsCodeZeroAndComeBackAsZero() {
    float[] values = new float[512];
    values[300] = 0.5f; // second block non-zero, first block all zeros
    try (Blockwise8bitTensor q = Blockwise8bit.signed().quantize(values, manager);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      int[] codes = q.codes().toUint8Array();
      for (int i = 0; i < 256; i++) {
        assertThat(codes[i]).isZero(); // 0 * (1 / 0) is NaN, which the kernel maps to 0
      }
      assertThat(q.absmax().toFloatArray()).containsExactly(0f, 0.5f);
      float[] restored = back.toFloatArray();
      for (int i = 0; i < 512; i++) {
        assertThat(restored[i]).isEqualTo(i == 300 ? 0.5f : 0f);
      }
    }
  }

  @Test
  void handlesEmptyArrays() {
    try (NDArray empty = manager.zeros(new Shape(0, 4));
        Blockwise8bitTensor q = Blockwise8bit.unsigned().quantize(empty);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      assertThat(q.absmax().size()).isZero();
      assertThat(back.getShape()).isEqualTo(new Shape(0, 4));
    }
  }

  @Test
  void storageIsOneBytePerValuePlusFourPerBlock() {
    try (Blockwise8bitTensor q = Blockwise8bit.signed().quantize(new float[1000], manager)) {
      assertThat(q.storageBytes()).isEqualTo(1000 + 4 * 4);
    }
  }

  @Test
  void leavesNoTemporaryArraysOnTheManager() {
    try (NDManager scoped = manager.newSubManager();
        NDArray values = scoped.create(gaussian(1000, 5, 1f))) {
      int before = scoped.getManagedArrays().size();
      try (Blockwise8bitTensor q = Blockwise8bit.signed().quantize(values)) {
        assertThat(scoped.getManagedArrays()).hasSize(before + 2);
        try (NDArray back = q.dequantize(DataType.FLOAT32)) {
          assertThat(back.getManager()).isSameAs(scoped);
          assertThat(scoped.getManagedArrays()).hasSize(before + 3);
        }
      }
      assertThat(scoped.getManagedArrays()).hasSize(before);
    }
  }

  @Test
  void rejectsNonFloatingInputAndBadBlocksizes() {
    try (NDArray ints = manager.create(new int[] {1, 2, 3})) {
      assertThatThrownBy(() -> Blockwise8bit.signed().quantize(ints))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("INT32");
    }
    try (Blockwise8bitTensor q = Blockwise8bit.signed().quantize(new float[4], manager)) {
      // DJL 0.36's PyTorch bridge aborts the JVM on BFLOAT16; refuse it with a message instead.
      assertThatThrownBy(() -> q.dequantize(DataType.BFLOAT16))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("BFLOAT16");
    }
    assertThatThrownBy(() -> Blockwise8bit.signed(100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
  }
}
