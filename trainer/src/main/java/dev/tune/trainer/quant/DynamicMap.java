package dev.tune.trainer.quant;

import java.util.Arrays;

/**
 * The 8-bit "dynamic" code of bitsandbytes ({@code create_dynamic_map}): a dynamic exponent with a
 * shrinking linear fraction, giving fine steps near zero and coarse ones near one. The optimizer
 * states of 8-bit Adam and the double-quantized NF4 constants are stored in this code.
 *
 * <p>The values are computed the way bitsandbytes computes them on the host: {@code torch.linspace}
 * in float32, neighbour means in float32, each decade scaled by a power of ten rounded to float32,
 * then sorted ascending. libtorch's CPU {@code linspace} (on the x86 AVX2 and AVX-512 kernels that
 * every current machine runs) evaluates {@code start + step * i} with one fused multiply-add, so
 * this class does too; the difference is visible in the last bit of about a sixth of the values.
 */
public final class DynamicMap {

  /** Size of every map bitsandbytes builds: 256 entries, whatever {@code totalBits} is. */
  public static final int SIZE = 256;

  private static final float[] SIGNED = create(true, 7, 8);
  private static final float[] UNSIGNED = create(false, 7, 8);

  private DynamicMap() {}

  /** {@code create_dynamic_map(signed=True)}: 256 ascending values in [-0.99297, 1]. */
  public static float[] signed() {
    return SIGNED.clone();
  }

  /** {@code create_dynamic_map(signed=False)}: 256 ascending values in [0, 1]. */
  public static float[] unsigned() {
    return UNSIGNED.clone();
  }

  /**
   * {@code create_dynamic_map(signed, max_exponent_bits, total_bits)}.
   *
   * @throws IllegalArgumentException where bitsandbytes' own size assertion would fail
   */
  public static float[] create(boolean signed, int maxExponentBits, int totalBits) {
    if (totalBits < 2 || totalBits > 8 || maxExponentBits < 1 || maxExponentBits > totalBits - 1) {
      throw new IllegalArgumentException(
          "dynamic map needs 1 <= maxExponentBits <= totalBits - 1 and 2 <= totalBits <= 8, got maxExponentBits="
              + maxExponentBits
              + ", totalBits="
              + totalBits);
    }
    int nonSignBits = totalBits - 1;
    int additionalItems = (1 << (nonSignBits - maxExponentBits)) - 1;
    float[] data = new float[SIZE];
    int size = 0;
    for (int i = 0; i < maxExponentBits; i++) {
      int shift = i + nonSignBits - maxExponentBits + (signed ? 0 : 1);
      int fractionItems = (1 << shift) + 1;
      size = appendDecade(data, size, fractionItems, decade(i - (maxExponentBits - 1)), signed);
    }
    if (additionalItems > 0) {
      // bitsandbytes reuses the last loop exponent here (a leaked loop variable), i.e. 10^0.
      size = appendDecade(data, size, additionalItems + 1, decade(0), signed);
    }
    if (size + 2 != 1 << totalBits) {
      throw new IllegalArgumentException(
          "dynamic map with signed="
              + signed
              + ", maxExponentBits="
              + maxExponentBits
              + ", totalBits="
              + totalBits
              + " has "
              + (size + 2)
              + " values instead of "
              + (1 << totalBits)
              + "; bitsandbytes rejects it too");
    }
    data[size++] = 0f;
    data[size] = 1f;
    // The remaining entries (totalBits < 8) stay 0, as bitsandbytes pads with zeros.
    Arrays.sort(data);
    return data;
  }

  private static int appendDecade(
      float[] out, int at, int boundaries, float scale, boolean signed) {
    float[] b = linspace(0.1f, 1f, boundaries);
    int pos = at;
    for (int j = 0; j + 1 < b.length; j++) {
      out[pos++] = scale * ((b[j] + b[j + 1]) / 2f);
    }
    if (signed) {
      for (int j = 0; j + 1 < b.length; j++) {
        out[pos++] = -scale * ((b[j] + b[j + 1]) / 2f);
      }
    }
    return pos;
  }

  /** A power of ten as Python computes it (a correctly rounded double), then cast to float32. */
  private static float decade(int exponent) {
    return (float) Double.parseDouble("1e" + exponent);
  }

  /** torch.linspace on CPU for float32: the first half counts up from start, the rest down. */
  static float[] linspace(float start, float end, int steps) {
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (steps - 1);
    int halfway = steps / 2;
    for (int i = 0; i < steps; i++) {
      out[i] =
          i < halfway
              ? Math.fma(step, (float) i, start)
              : Math.fma(-step, (float) (steps - i - 1), end);
    }
    return out;
  }
}
