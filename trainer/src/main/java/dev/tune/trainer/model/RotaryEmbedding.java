package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding as transformers computes it: {@code inv_freq} from the RoPE type
 * ({@code modeling_rope_utils}), angles {@code position * inv_freq} in float32, cos/sin of {@code
 * cat(freqs, freqs)} cast to the activations' dtype, applied with {@code rotate_half} on the two
 * halves of each head (not interleaved pairs).
 */
public final class RotaryEmbedding {

  private final float[] inverseFrequencies;
  private final NDArray invFreq;

  /** Makes the embedding for heads of {@code headDim}, its table kept in {@code manager}. */
  public RotaryEmbedding(RopeParameters rope, int headDim, NDManager manager) {
    this.inverseFrequencies = inverseFrequencies(rope, headDim);
    this.invFreq = manager.create(inverseFrequencies);
    NDScope.unregister(invFreq);
  }

  /** The {@code headDim / 2} inverse frequencies. */
  public float[] inverseFrequencies() {
    return inverseFrequencies.clone();
  }

  /**
   * {@code inv_freq} as transformers computes it in float32: {@code 1 / theta^(2i/d)}, then the
   * RoPE type's adjustment.
   */
  public static float[] inverseFrequencies(RopeParameters rope, int dim) {
    int half = dim / 2;
    float[] inv = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / (float) dim;
      float base = (float) Math.pow(rope.ropeTheta(), exponent);
      inv[i] = 1.0f / base;
    }
    switch (rope.ropeType()) {
      case DEFAULT -> {}
      case LINEAR -> {
        for (int i = 0; i < half; i++) {
          inv[i] = inv[i] / (float) rope.factor();
        }
      }
      case LLAMA3 -> applyLlama3(rope, inv);
    }
    return inv;
  }

  /**
   * Llama 3.1 scaling: wavelengths above {@code original / low_freq_factor} are divided by {@code
   * factor}, those below {@code original / high_freq_factor} kept, the band between interpolated.
   */
  private static void applyLlama3(RopeParameters rope, float[] inv) {
    float factor = (float) rope.factor();
    float low = (float) rope.lowFreqFactor();
    float high = (float) rope.highFreqFactor();
    float oldContext = rope.originalMaxPositionEmbeddings();
    float lowFreqWavelen = oldContext / low;
    float highFreqWavelen = oldContext / high;
    for (int i = 0; i < inv.length; i++) {
      float wavelen = (float) (2 * Math.PI) * (1.0f / inv[i]);
      float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
      boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (medium) {
        float smooth = (oldContext / wavelen - low) / (high - low);
        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
      }
      inv[i] = scaled;
    }
  }

  /**
   * The cos and sin tables for {@code positions} ({@code [batch, seq]} integer ids), each {@code
   * [batch, seq, headDim]} in {@code dtype}.
   */
  public Angles angles(NDArray positions, DataType dtype) {
    NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq);
    NDArray emb = freqs.concat(freqs, -1);
    return new Angles(emb.cos().toType(dtype, false), emb.sin().toType(dtype, false));
  }

  /** cos/sin tables for one forward pass; see {@link #apply}. */
  public record Angles(NDArray cos, NDArray sin) {

    /**
     * Rotates {@code x} of shape {@code [batch, heads, seq, headDim]}: {@code x * cos +
     * rotate_half(x) * sin}.
     */
    public NDArray apply(NDArray x) {
      NDArray c = cos.expandDims(1);
      NDArray s = sin.expandDims(1);
      return x.mul(c).add(rotateHalf(x).mul(s));
    }

    static NDArray rotateHalf(NDArray x) {
      long half = x.getShape().getShape()[x.getShape().dimension() - 1] / 2;
      NDArray x1 = x.get(new NDIndex("..., :{}", half));
      NDArray x2 = x.get(new NDIndex("..., {}:", half));
      return NDArrays.concat(new NDList(x2.neg(), x1), -1);
    }
  }
}
