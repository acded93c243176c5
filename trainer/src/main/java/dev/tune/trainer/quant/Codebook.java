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

  /** Codes per group in the two-stage encoder of large codes. */
  private static final int GROUP = 16;

  private final float[] values;
  private final float[] thresholds;

  private Codebook(float[] values, float[] thresholds) {
    this.values = values;
    this.thresholds = thresholds;
  }

  /**
   * The code with the thresholds of bitsandbytes' {@code dQuantize}: a binary search over the 256
   * entries that ends with a midpoint test, {@code (a + b) * 0.5f} in float. The search always
   * lands on an even index, and a value exactly on a midpoint stays there, so a tie between entries
   * k and k+1 goes to whichever of the two is even.
   */
  static Codebook binarySearch(float[] sortedValues) {
    checkSorted(sortedValues);
    if (sortedValues.length != 256) {
      throw new IllegalArgumentException(
          "dQuantize searches 256 entries, got " + sortedValues.length);
    }
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

  /**
   * Code indices (UINT8, same shape) of {@code scaled}, a FLOAT32 array of values divided by their
   * block's absmax.
   *
   * <p>Up to 16 codes: one comparison per threshold, counted in a byte array. Larger codes: the
   * same count over every 16th threshold picks the group of 16, then a branch-free binary search
   * (one gather per bit) finishes inside the group. Counting passes are cheap byte-wide work, the
   * gathers move 8-byte indices, so the split keeps the gathers to four.
   */
  NDArray encode(NDArray scaled) {
    if (scaled.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "encode expects FLOAT32, got " + scaled.getDataType().name());
    }
    if (values.length <= GROUP) {
      return countAbove(scaled, thresholds);
    }
    float[] coarse = new float[values.length / GROUP - 1];
    for (int g = 1; g <= coarse.length; g++) {
      coarse[g - 1] = thresholds[g * GROUP - 1];
    }
    NDArray index;
    try (NDArray group = countAbove(scaled, coarse)) {
      index = group.toType(DataType.INT64, false).muli(GROUP);
    }
    try (index) {
      searchWithinGroups(scaled, index);
      return index.toType(DataType.UINT8, false);
    }
  }

  /** Number of {@code sortedThresholds} strictly below each value, as UINT8. */
  static NDArray countAbove(NDArray scaled, float[] sortedThresholds) {
    NDArray count =
        scaled.getManager().zeros(scaled.getShape(), DataType.UINT8, scaled.getDevice());
    for (float t : sortedThresholds) {
      try (NDArray above = scaled.gt(t)) {
        count.addi(above);
      }
    }
    return count;
  }

  /** Adds to {@code index} (INT64, the first code of each value's group) the rank inside it. */
  private void searchWithinGroups(NDArray scaled, NDArray index) {
    try (NDArray table = Tensors.constant(thresholds, scaled)) {
      for (int step = GROUP / 2; step >= 1; step >>= 1) {
        try (NDArray probe = index.add(step - 1);
            NDArray threshold = table.take(probe);
            NDArray above = scaled.gt(threshold);
            NDArray move = above.toType(DataType.INT64, false)) {
          index.addi(move.muli(step));
        }
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
