package dev.tune.trainer.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Nf4TensorTest {

  /** The NF4 values as published with QLoRA and in bitsandbytes' get_4bit_type("nf4"). */
  private static final double[] PUBLISHED = {
    -1.0,
    -0.6961928009986877,
    -0.5250730514526367,
    -0.39491748809814453,
    -0.28444138169288635,
    -0.18477343022823334,
    -0.09105003625154495,
    0.0,
    0.07958029955625534,
    0.16093020141124725,
    0.24611230194568634,
    0.33791524171829224,
    0.44070982933044434,
    0.5626170039176941,
    0.7229568362236023,
    1.0
  };

  /** The decision thresholds written in bitsandbytes' dQuantizeNF4 kernel, ascending. */
  private static final double[] KERNEL_THRESHOLDS = {
    -0.8480964004993439,
    -0.6106329262256622,
    -0.4599952697753906,
    -0.33967943489551544,
    -0.23460740596055984,
    -0.13791173323988914,
    -0.045525018125772476,
    0.03979014977812767,
    0.1202552504837513,
    0.2035212516784668,
    0.2920137718319893,
    0.3893125355243683,
    0.5016634166240692,
    0.6427869200706482,
    0.8614784181118011
  };

  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static float[] gaussian(int n, long seed, float scale) {
    Random random = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian() * scale;
    }
    return v;
  }

  /** Independent reference: nearest NF4 value in double arithmetic, ties to the lower code. */
  private static int nearestCode(float scaled) {
    int best = 0;
    for (int k = 1; k < 16; k++) {
      if (Math.abs(scaled - PUBLISHED[k]) < Math.abs(scaled - PUBLISHED[best])) {
        best = k;
      }
    }
    return best;
  }

  private static int[] nibbles(int[] packed, int numel) {
    int[] out = new int[numel];
    for (int i = 0; i < numel; i++) {
      int b = packed[i / 2];
      out[i] = (i % 2 == 0) ? b >> 4 : b & 0x0F;
    }
    return out;
  }

  @Test
  void codeTableIsThePublishedOne() {
    float[] codes = Nf4.codes();
    assertThat(codes).hasSize(16);
    for (int k = 0; k < 16; k++) {
      assertThat(codes[k]).isEqualTo((float) PUBLISHED[k]);
    }
  }

  @Test
  void thresholdsAreTheKernelsMidpoints() {
    float[] thresholds = Nf4.thresholds();
    assertThat(thresholds).hasSize(15);
    for (int k = 0; k < 15; k++) {
      assertThat(thresholds[k]).as("threshold %d", k).isEqualTo((float) KERNEL_THRESHOLDS[k]);
    }
  }

  @Test
  void handComputedBlockPacksFirstValueIntoTheHighNibble() {
    // absmax 2; every NF4 value in order, four times: value i gets code i % 16.
    float[] block = new float[64];
    for (int i = 0; i < 64; i++) {
      block[i] = 2f * (float) PUBLISHED[i % 16];
    }
    try (NDArray w = manager.create(block, new Shape(4, 16));
        Nf4Tensor q = Nf4Tensor.quantize(w, false)) {
      int[] expected = new int[32];
      int[] pattern = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
      for (int i = 0; i < 32; i++) {
        expected[i] = pattern[i % 8];
      }
      assertThat(q.packed().toUint8Array()).containsExactly(expected);
      try (NDArray absmax = q.scales().toFloat32()) {
        assertThat(absmax.toFloatArray()).containsExactly(2f);
      }
    }
  }

  @Test
  void valuesOnAThresholdTakeTheLowerCode() {
    // A 1.0 pins absmax to 1, so the scaled value is the value itself.
    float[] block = new float[64];
    block[0] = 1f;
    float[] t = Nf4.thresholds();
    for (int k = 0; k < 15; k++) {
      block[1 + 2 * k] = t[k];
      block[2 + 2 * k] = Math.nextUp(t[k]);
    }
    block[31] = -1f;
    try (NDArray w = manager.create(block);
        Nf4Tensor q = Nf4Tensor.quantize(w, false)) {
      int[] codes = nibbles(q.packed().toUint8Array(), 64);
      assertThat(codes[0]).isEqualTo(15);
      for (int k = 0; k < 15; k++) {
        assertThat(codes[1 + 2 * k]).as("on threshold %d", k).isEqualTo(k);
        assertThat(codes[2 + 2 * k]).as("just above threshold %d", k).isEqualTo(k + 1);
      }
      assertThat(codes[31]).isZero();
      assertThat(codes[40]).isEqualTo(7); // zero
    }
  }

  @Test
  void codesAreTheNearestNf4ValueOfValueTimesInverseAbsmax() {
    int n = 64 * 50;
    float[] w = gaussian(n, 1, 0.02f);
    try (NDArray weight = manager.create(w, new Shape(50, 64));
        Nf4Tensor q = Nf4Tensor.quantize(weight, false)) {
      int[] codes = nibbles(q.packed().toUint8Array(), n);
      for (int b = 0; b < 50; b++) {
        float absmax = 0;
        for (int i = 0; i < 64; i++) {
          absmax = Math.max(absmax, Math.abs(w[b * 64 + i]));
        }
        float inverse = 1f / absmax;
        for (int i = 0; i < 64; i++) {
          int at = b * 64 + i;
          assertThat(codes[at]).as("value %d", at).isEqualTo(nearestCode(w[at] * inverse));
        }
      }
    }
  }

  @Test
  void dequantizeIsCodeTimesAbsmaxAndErrorIsBoundedByHalfTheWidestGap() {
    int n = 64 * 40;
    float[] w = gaussian(n, 2, 1f);
    float[] codes = Nf4.codes();
    float halfWidestGap = 0f;
    for (int k = 0; k < 15; k++) {
      halfWidestGap = Math.max(halfWidestGap, (codes[k + 1] - codes[k]) / 2f);
    }
    try (NDArray weight = manager.create(w, new Shape(40, 64));
        Nf4Tensor q = Nf4Tensor.quantize(weight, false);
        NDArray back = q.dequantize(DataType.FLOAT32);
        NDArray absmaxArray = q.scales().toFloat32()) {
      assertThat(back.getShape()).isEqualTo(new Shape(40, 64));
      float[] restored = back.toFloatArray();
      float[] absmax = absmaxArray.toFloatArray();
      int[] q4 = nibbles(q.packed().toUint8Array(), n);
      for (int i = 0; i < n; i++) {
        assertThat(restored[i]).isEqualTo(codes[q4[i]] * absmax[i / 64]);
        assertThat(Math.abs(restored[i] - w[i]))
            .isLessThanOrEqualTo(absmax[i / 64] * halfWidestGap);
      }
    }
  }

  @Test
  void oddSizesPadTheLastBlockWithZerosLikeTheKernel() {
    int n = 64 * 3 + 7; // odd, and not a whole number of blocks
    float[] w = gaussian(n, 3, 1f);
    try (NDArray weight = manager.create(w, new Shape(1, n));
        Nf4Tensor q = Nf4Tensor.quantize(weight, true);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      assertThat(q.packed().size()).isEqualTo((n + 1) / 2);
      assertThat(q.scales().blocks()).isEqualTo(4);
      int[] packed = q.packed().toUint8Array();
      assertThat(packed[packed.length - 1] & 0x0F).as("padding nibble = code of 0").isEqualTo(7);
      assertThat(back.getShape()).isEqualTo(new Shape(1, n));
      float[] restored = back.toFloatArray();
      for (int i = 0; i < n; i++) {
        assertThat(restored[i]).isCloseTo(w[i], within(0.35f * 4f));
      }
    }
    try (NDArray one = manager.create(new float[] {-3f});
        Nf4Tensor q = Nf4Tensor.quantize(one, false);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      assertThat(q.packed().toUint8Array()).containsExactly(0x07);
      assertThat(back.toFloatArray()).containsExactly(-3f);
    }
  }

  @Test
  void doubleQuantizationQuantizesTheCentredAbsmaxWithTheSignedDynamicMap() {
    int n = 64 * 600; // 600 blocks: three absmax blocks of 256, the last one partial
    float[] w = gaussian(n, 4, 0.05f);
    try (NDArray weight = manager.create(w);
        Nf4Tensor plain = Nf4Tensor.quantize(weight, false);
        Nf4Tensor dq = Nf4Tensor.quantize(weight, true);
        NDArray absmax = plain.scales().toFloat32();
        NDArray restoredAbsmax = dq.scales().toFloat32()) {
      assertThat(dq.packed().contentEquals(plain.packed())).isTrue();
      assertThat(dq.isDoubleQuantized()).isTrue();
      BlockScales.DoubleQuantized scales = (BlockScales.DoubleQuantized) dq.scales();
      float[] a = absmax.toFloatArray();
      double mean = 0;
      for (float v : a) {
        mean += v;
      }
      mean /= a.length;
      assertThat((double) scales.offset()).isCloseTo(mean, within(1e-6));
      assertThat(scales.quantized().format()).isEqualTo(Blockwise8bit.signed(256));
      try (NDArray centred = absmax.sub(scales.offset());
          Blockwise8bitTensor expected = Blockwise8bit.signed(256).quantize(centred)) {
        assertThat(scales.quantized().codes().contentEquals(expected.codes())).isTrue();
        assertThat(scales.quantized().absmax().contentEquals(expected.absmax())).isTrue();
      }
      // The absmax comes back within the 8-bit map's resolution of its 256-block.
      float[] back = restoredAbsmax.toFloatArray();
      float[] blockMax = scales.quantized().absmax().toFloatArray();
      for (int i = 0; i < a.length; i++) {
        assertThat(Math.abs(back[i] - a[i])).isLessThanOrEqualTo(blockMax[i / 256] * 0.0071f);
      }
    }
  }

  @Test
  void bytesPerParameterIsAbout0516WithDoubleQuant() {
    int rows = 256;
    int cols = 1024;
    long n = (long) rows * cols;
    long blocks = n / 64;
    long expectedDq = n / 2 + blocks + 4 * ((blocks + 255) / 256) + 4;
    try (NDArray weight = manager.create(gaussian(rows * cols, 5, 0.02f), new Shape(rows, cols));
        Nf4Tensor dq = Nf4Tensor.quantize(weight, true);
        Nf4Tensor plain = Nf4Tensor.quantize(weight, false)) {
      assertThat(dq.storageBytes()).isEqualTo(expectedDq);
      assertThat(dq.bytesPerParameter()).isCloseTo(0.516, within(0.001));
      assertThat(plain.storageBytes()).isEqualTo(n / 2 + 4 * blocks);
      assertThat(plain.bytesPerParameter()).isEqualTo(0.5625);
    }
    long big = 4096L * 4096L;
    assertThat(Nf4Tensor.storageBytes(big, 64, true) / (double) big)
        .isCloseTo(0.5159, within(0.0001));
  }

  @Test
  void dequantizesToFp16AsTheCastOfTheFp32Result() {
    try (NDArray weight = manager.create(gaussian(640, 6, 1f), new Shape(10, 64));
        NDArray fp16Weight = weight.toType(DataType.FLOAT16, true);
        Nf4Tensor q = Nf4Tensor.quantize(fp16Weight, true);
        NDArray half = q.dequantize(DataType.FLOAT16);
        NDArray full = q.dequantize(DataType.FLOAT32);
        NDArray cast = full.toType(DataType.FLOAT16, true)) {
      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(half.contentEquals(cast)).isTrue();
    }
  }

  @Test
  void allZeroWeightsStayZero() {
    try (NDArray weight = manager.zeros(new Shape(2, 64));
        Nf4Tensor q = Nf4Tensor.quantize(weight, true);
        NDArray back = q.dequantize(DataType.FLOAT32)) {
      // 0 * (1 / 0) is NaN, which passes no threshold: code 0, as on the GPU.
      assertThat(q.packed().toUint8Array()).containsOnly(0);
      for (float v : back.toFloatArray()) {
        assertThat(v == 0f).as("%s is zero (bitsandbytes gives -0.0 = -1 * 0)", v).isTrue();
      }
    }
  }

  @Test
  void leavesNoTemporaryArraysOnTheManager() {
    try (NDManager scoped = manager.newSubManager();
        NDArray weight = scoped.create(gaussian(64 * 9 + 3, 8, 1f))) {
      int before = scoped.getManagedArrays().size();
      try (Nf4Tensor q = Nf4Tensor.quantize(weight, true)) {
        assertThat(scoped.getManagedArrays()).hasSize(before + 3); // packed, codes, absmax2
        try (NDManager step = scoped.newSubManager()) {
          NDArray w = q.dequantize(DataType.FLOAT16, step);
          assertThat(w.getManager()).isSameAs(step);
          assertThat(step.getManagedArrays()).containsExactly(w);
          // getManagedArrays() counts sub-managers too: the three arrays of q plus w.
          assertThat(scoped.getManagedArrays()).hasSize(before + 4);
        }
        assertThat(scoped.getManagedArrays()).hasSize(before + 3);
      }
      assertThat(scoped.getManagedArrays()).hasSize(before);
    }
  }

  @Test
  void rejectsWhatItCannotQuantize() {
    try (NDArray ints = manager.create(new int[] {1, 2})) {
      assertThatThrownBy(() -> Nf4Tensor.quantize(ints, true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("INT32");
    }
    try (NDArray empty = manager.zeros(new Shape(0))) {
      assertThatThrownBy(() -> Nf4Tensor.quantize(empty, true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty");
    }
    try (NDArray w = manager.ones(new Shape(64));
        Nf4Tensor q = Nf4Tensor.quantize(w, false)) {
      assertThatThrownBy(() -> q.dequantize(DataType.BFLOAT16))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("BFLOAT16");
    }
  }
}
