package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A sorted code of 2^b values and the b-bit encoder that bitsandbytes' CUDA kernels apply to a
 * value already divided by its block's absmax.
 *
 * <p>Every bitsandbytes encoder is a chain of strict comparisons against sorted decision
 * thresholds, so the code index is the number of thresholds the value exceeds. That count is what
 * {@link #encode} computes, with a handful of whole-tensor operations. NaN exceeds nothing and gets
 * code 0, as in the kernels (an all-zero block divides 0 by 0).
 */
final class Codebook {

  private final float[] values;
  private final float[] thresholds;
  private final int bits;

  private Codebook(float[] values, float[] thresholds) {
    this.values = values;
    this.thresholds = thresholds;
    this.bits = Integer.numberOfTrailingZeros(values.length);
  }

  /**
   * The code with the thresholds of bitsandbytes' {@code dQuantize}: a binary search over the 256
   * entries that ends with a midpoint test, {@code (a + b) * 0.5f} in float. The search always
   * lands on an even index, and a value exactly on a midpoint stays there, so a tie between entries
   * k and k+1 goes to whichever of the two is even.
   */
  static Codebook binarySearch(float[] sortedValues) {
    checkSorted(sortedValues);
    float[] t = new float[sortedValues.length - 1];
    for (int k = 0; k < t.length; k++) {
      float mid = (sortedValues[k] + sortedValues[k + 1]) * 0.5f;
      // Index = number of thresholds strictly below x; a tie at an odd k must round up, so that
      // threshold moves one float down (x >= mid is x > nextDown(mid) for float x).
      t[k] = (k & 1) == 0 ? mid : Math.nextDown(mid);
    }
    return new Codebook(sortedValues.clone(), t);
  }

  /** The code with explicit thresholds, index = number of thresholds strictly below the value. */
  static Codebook withThresholds(float[] sortedValues, float[] thresholds) {
    checkSorted(sortedValues);
    if (thresholds.length != sortedValues.length - 1) {
      throw new IllegalArgumentException(
          "a code of "
              + sortedValues.length
              + " values needs "
              + (sortedValues.length - 1)
              + " thresholds, got "
              + thresholds.length);
    }
    return new Codebook(sortedValues.clone(), thresholds.clone());
  }

  private static void checkSorted(float[] v) {
    int n = v.length;
    if (n < 2 || n > 256 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("a code has 2^b values with 1 <= b <= 8, got " + n);
    }
    for (int i = 1; i < n; i++) {
      if (!(v[i - 1] <= v[i])) {
        throw new IllegalArgumentException("code values must ascend; index " + i + " does not");
      }
    }
  }

  float[] values() {
    return values.clone();
  }

  float[] thresholds() {
    return thresholds.clone();
  }

  int size() {
    return values.length;
  }

  /**
   * Code indices (UINT8, same shape) of {@code scaled}, a FLOAT32 array of values divided by their
   * block's absmax. Small codes count the thresholds passed, one comparison each; larger ones run a
   * branch-free binary search (one gather per bit).
   */
  NDArray encode(NDArray scaled) {
    if (scaled.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "encode expects FLOAT32, got " + scaled.getDataType().name());
    }
    return values.length <= 16 ? encodeByCount(scaled) : encodeBySearch(scaled);
  }

  private NDArray encodeByCount(NDArray scaled) {
    NDArray index =
        scaled.getManager().zeros(scaled.getShape(), DataType.UINT8, scaled.getDevice());
    for (float t : thresholds) {
      try (NDArray above = scaled.gt(t)) {
        index.addi(above);
      }
    }
    return index;
  }

  private NDArray encodeBySearch(NDArray scaled) {
    try (NDArray table = Tensors.constant(thresholds, scaled)) {
      NDArray index =
          scaled.getManager().zeros(scaled.getShape(), DataType.INT64, scaled.getDevice());
      for (int step = 1 << (bits - 1); step >= 1; step >>= 1) {
        try (NDArray probe = index.add(step - 1);
            NDArray threshold = table.take(probe);
            NDArray above = scaled.gt(threshold);
            NDArray move = above.toType(DataType.INT64, false)) {
          index.addi(move.muli(step));
        }
      }
      try (index) {
        return index.toType(DataType.UINT8, false);
      }
    }
  }

  /** Values of the codes (any integer type, any shape) as FLOAT32 of the same shape. */
  NDArray decode(NDArray codes) {
    try (NDArray table = Tensors.constant(values, codes);
        NDArray index = codes.toType(DataType.INT64, true)) {
      return table.take(index);
    }
  }
}
