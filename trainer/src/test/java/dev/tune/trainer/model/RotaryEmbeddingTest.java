package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {

  /** {@code 1 / theta^(2i/d)} in double precision. */
  private static double standard(double theta, int i, int dim) {
    return 1.0 / Math.pow(theta, (2.0 * i) / dim);
  }

  /** modeling_rope_utils' llama3 rule, written out in double precision. */
  private static double llama3(RopeParameters r, double inv) {
    double lowWavelen = r.originalMaxPositionEmbeddings() / r.lowFreqFactor();
    double highWavelen = r.originalMaxPositionEmbeddings() / r.highFreqFactor();
    double wavelen = 2 * Math.PI / inv;
    if (wavelen < highWavelen) {
      return inv;
    }
    if (wavelen > lowWavelen) {
      return inv / r.factor();
    }
    double smooth =
        (r.originalMaxPositionEmbeddings() / wavelen - r.lowFreqFactor())
            / (r.highFreqFactor() - r.lowFreqFactor());
    return (1 - smooth) * inv / r.factor() + smooth * inv;
  }

  @Test
  void defaultFrequenciesFollowTheFormula() {
    float[] inv = RotaryEmbedding.inverseFrequencies(RopeParameters.standard(10000.0), 128);
    assertThat(inv).hasSize(64);
    for (int i = 0; i < 64; i++) {
      double expected = standard(10000.0, i, 128);
      assertThat((double) inv[i]).isCloseTo(expected, within(expected * 1e-6));
    }
    assertThat(inv[0]).isEqualTo(1.0f);
  }

  @Test
  void linearScalingDividesEveryFrequency() {
    RopeParameters linear = new RopeParameters(RopeType.LINEAR, 10000.0, 4.0, 0, 0, 0);
    float[] inv = RotaryEmbedding.inverseFrequencies(linear, 16);
    for (int i = 0; i < 8; i++) {
      double expected = standard(10000.0, i, 16) / 4.0;
      assertThat((double) inv[i]).isCloseTo(expected, within(expected * 1e-6));
    }
  }

  @Test
  void llama3ScalingKeepsHighDividesLowAndBlendsTheBand() {
    // Llama 3.1's own settings: every band occurs across 64 frequencies.
    RopeParameters r = new RopeParameters(RopeType.LLAMA3, 500000.0, 8.0, 1.0, 4.0, 8192);
    float[] inv = RotaryEmbedding.inverseFrequencies(r, 128);
    int kept = 0;
    int divided = 0;
    int blended = 0;
    for (int i = 0; i < 64; i++) {
      double base = standard(500000.0, i, 128);
      double expected = llama3(r, base);
      assertThat((double) inv[i]).as("i=%d", i).isCloseTo(expected, within(expected * 2e-6));
      if (Math.abs(expected - base) < base * 1e-9) {
        kept++;
      } else if (Math.abs(expected - base / 8) < base * 1e-9) {
        divided++;
      } else {
        blended++;
      }
    }
    assertThat(kept).isPositive();
    assertThat(divided).isPositive();
    assertThat(blended).isPositive();
  }

  @Test
  void llama3FixtureSettingsBlendTheFirstFrequencyAndDivideTheRest() {
    RopeParameters r = ModelConfig.read(Fixtures.dir("llama-rope-llama3")).ropeParameters();
    float[] inv = RotaryEmbedding.inverseFrequencies(r, 16);
    for (int i = 0; i < 8; i++) {
      double expected = llama3(r, standard(500000.0, i, 16));
      assertThat((double) inv[i]).isCloseTo(expected, within(expected * 2e-6));
    }
    // wavelength 2π lies between 8/4 and 8/1: blended, neither kept nor divided by 8.
    assertThat(inv[0]).isStrictlyBetween(1.0f / 8, 1.0f);
  }

  @Test
  void rotatesTheTwoHalvesOfEachHead() {
    try (NDManager m = NDManager.newBaseManager()) {
      RotaryEmbedding rope = new RotaryEmbedding(RopeParameters.standard(100.0), 4, m);
      float[] f = rope.inverseFrequencies(); // {1, 0.1}
      long position = 3;
      RotaryEmbedding.Angles angles =
          rope.angles(m.create(new long[] {position}, new Shape(1, 1)), DataType.FLOAT32);
      NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4));
      float[] out = angles.apply(x).toFloatArray();
      double a0 = position * f[0];
      double a1 = position * f[1];
      // x * cos(cat(a, a)) + cat(-x2, x1) * sin(cat(a, a))
      double[] expected = {
        1 * Math.cos(a0) - 3 * Math.sin(a0),
        2 * Math.cos(a1) - 4 * Math.sin(a1),
        3 * Math.cos(a0) + 1 * Math.sin(a0),
        4 * Math.cos(a1) + 2 * Math.sin(a1)
      };
      for (int i = 0; i < 4; i++) {
        assertThat((double) out[i]).isCloseTo(expected[i], within(1e-5));
      }
    }
  }
}
