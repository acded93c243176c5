package dev.tune.trainer.quant;

/**
 * The NF4 data type of QLoRA: 16 values, quantiles of a standard normal scaled to [-1, 1], with an
 * exact zero. Index i is the 4-bit code i.
 */
public final class Nf4 {

  /** As published (the decimal expansions of float32 values, so each converts exactly). */
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

  private static final float[] CODES = toFloats(PUBLISHED);

  /**
   * Decision thresholds between neighbouring codes: their float midpoints, as in {@code
   * dQuantizeNF4}, where a value on a threshold takes the lower code.
   */
  private static final float[] THRESHOLDS = midpoints(CODES);

  static final Codebook CODEBOOK = Codebook.withThresholds(CODES, THRESHOLDS);

  private Nf4() {}

  /** The 16 NF4 values, code 0 to code 15. */
  public static float[] codes() {
    return CODES.clone();
  }

  /** The 15 thresholds; a scaled value above threshold k (and not above k+1) gets code k+1. */
  public static float[] thresholds() {
    return THRESHOLDS.clone();
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  private static float[] midpoints(float[] codes) {
    float[] t = new float[codes.length - 1];
    for (int k = 0; k < t.length; k++) {
      t[k] = (codes[k] + codes[k + 1]) * 0.5f;
    }
    return t;
  }
}
