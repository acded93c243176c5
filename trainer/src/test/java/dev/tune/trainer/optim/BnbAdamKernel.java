package dev.tune.trainer.optim;

import dev.tune.trainer.quant.Blockwise8bit;

/**
 * A plain-Java, element-by-element model of bitsandbytes' 2-state Adam kernels, for tests: {@code
 * kOptimizerStatic8bit2StateBlockwise} (8-bit blockwise moments) and {@code kOptimizer32bit2State}
 * (fp32 moments), in fp32 with IEEE operations in the kernels' order. The requantization is the
 * kernel's {@code quantize_2D} pivot search, written out as the kernel walks it, independently of
 * the threshold counting the optimizer uses.
 */
final class BnbAdamKernel {

  static final int BLOCK = 256;
  static final float[] SIGNED = Blockwise8bit.signed().code();
  static final float[] UNSIGNED = Blockwise8bit.unsigned().code();

  private BnbAdamKernel() {}

  /** The host-computed launch arguments. */
  record Launch(float b1, float b2, float stepSize, float scaledEps, float decay, boolean decays) {
    static Launch of(double beta1, double beta2, double eps, double wd, double lr, int step) {
      float b1 = (float) beta1;
      float b2 = (float) beta2;
      float lrF = (float) lr;
      float correction1 = 1f - (float) Math.pow(b1, step);
      float correction2 = (float) Math.sqrt(1f - (float) Math.pow(b2, step));
      return new Launch(
          b1,
          b2,
          (-lrF * correction2) / correction1,
          correction2 * (float) eps,
          1f - lrF * (float) wd,
          (float) wd > 0f);
    }
  }

  /** One 8-bit blockwise update of {@code p} (flat) in place; codes and absmax updated in place. */
  static void step8bit(
      float[] p,
      float[] g,
      int[] codes1,
      float[] absmax1,
      int[] codes2,
      float[] absmax2,
      Launch k) {
    int n = p.length;
    int blocks = (n + BLOCK - 1) / BLOCK;
    for (int b = 0; b < blocks; b++) {
      float[] s1 = new float[BLOCK];
      float[] s2 = new float[BLOCK];
      boolean[] finite = new boolean[BLOCK];
      float max1 = -Float.MAX_VALUE;
      float max2 = -Float.MAX_VALUE;
      for (int j = 0; j < BLOCK; j++) {
        int i = b * BLOCK + j;
        boolean valid = i < n;
        float gj = valid ? g[i] : 0f;
        int c1 = valid ? codes1[i] : 128;
        int c2 = valid ? codes2[i] : 0;
        finite[j] = !Float.isNaN(gj) && !Float.isInfinite(gj);
        if (finite[j]) {
          s2[j] = UNSIGNED[c2] * absmax2[b];
          s2[j] = (s2[j] * k.b2()) + (((1f - k.b2()) * gj) * gj);
          s1[j] = SIGNED[c1] * absmax1[b];
          s1[j] = (s1[j] * k.b1()) + ((1f - k.b1()) * gj);
        }
        max1 = Math.max(max1, Math.abs(s1[j]));
        max2 = Math.max(max2, Math.abs(s2[j]));
      }
      absmax1[b] = max1;
      absmax2[b] = max2;
      for (int j = 0; j < BLOCK; j++) {
        int i = b * BLOCK + j;
        if (i >= n) {
          break;
        }
        if (finite[j]) {
          p[i] = p[i] + k.stepSize() * (s1[j] / ((float) Math.sqrt(s2[j]) + k.scaledEps()));
          if (k.decays()) {
            p[i] = p[i] * k.decay();
          }
        }
        int c1 = quantize2d(SIGNED, true, s1[j] / max1);
        if (signBit(SIGNED[c1]) != signBit(s1[j])) {
          c1 = s1[j] > 0f ? c1 + 1 : c1 - 1;
        }
        codes1[i] = c1 & 0xFF;
        codes2[i] = quantize2d(UNSIGNED, false, s2[j] / max2);
      }
    }
  }

  /** One update with fp32 moments ({@code kOptimizer32bit2State}, ADAM, no max_unorm). */
  static void step32bit(float[] p, float[] g, float[] s1, float[] s2, Launch k) {
    for (int i = 0; i < p.length; i++) {
      s1[i] = s1[i] * k.b1() + ((1f - k.b1()) * g[i]);
      s2[i] = s2[i] * k.b2() + (((1f - k.b2()) * g[i]) * g[i]);
      p[i] = p[i] + (1f * k.stepSize()) * (s1[i] / ((float) Math.sqrt(s2[i]) + k.scaledEps()));
      if (k.decays()) {
        p[i] = p[i] * k.decay();
      }
    }
  }

  /** The kernel's quantize_2D: quadrant start, pivot walk of 7 halvings, midpoint decision. */
  static int quantize2d(float[] code, boolean signed, float x) {
    int pivot = 127;
    int upperPivot = 255;
    int lowerPivot = 0;
    float lower = signed ? -1f : 0f;
    float upper = 1f;
    float[] quadrants = {code[63], code[127], code[191]};
    float val = quadrants[1];
    int localPivot = 1;
    int offset = 1;
    for (int i = 64; i > 0; i >>= 1) {
      if (x > val) {
        lowerPivot = pivot;
        lower = val;
        pivot += i;
        localPivot += offset;
      } else {
        upperPivot = pivot;
        upper = val;
        pivot -= i;
        localPivot -= offset;
      }
      val = i >= 64 ? quadrants[localPivot] : code[pivot];
      offset -= 1;
    }
    if (x > val) {
      float midpoint = (upper + val) * 0.5f;
      return x > midpoint ? upperPivot : pivot;
    }
    float midpoint = (lower + val) * 0.5f;
    return x < midpoint ? lowerPivot : pivot;
  }

  private static boolean signBit(float value) {
    return (Float.floatToRawIntBits(value) & 0x80000000) != 0;
  }
}
