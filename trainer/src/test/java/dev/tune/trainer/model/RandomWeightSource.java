package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random tensors under the checkpoint names of a config, drawn as the fixture script does
 * (vectors around 1, matrices ~ N(0, 0.15²)), for tests that need a model but not the reference
 * weights.
 */
final class RandomWeightSource implements WeightSource {

  private final Map<String, Shape> shapes;
  private final long seed;

  RandomWeightSource(ModelConfig config, long seed) {
    this.shapes = checkpointShapes(config);
    this.seed = seed;
  }

  @Override
  public Set<String> names() {
    return shapes.keySet();
  }

  @Override
  public NDArray load(String name, NDManager manager) {
    Shape shape = shapes.get(name);
    Random random = new Random(seed ^ name.hashCode());
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      double g = random.nextGaussian();
      values[i] = (float) (shape.dimension() == 1 ? 1.0 + 0.1 * g : 0.15 * g);
    }
    return manager.create(values, shape);
  }

  /** The tensors transformers saves for {@code config}, written out by hand from its modules. */
  static Map<String, Shape> checkpointShapes(ModelConfig config) {
    Map<String, Shape> m = new LinkedHashMap<>();
    long h = config.hiddenSize();
    long v = config.vocabSize();
    switch (config) {
      case LlamaConfig c -> {
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long ff = c.intermediateSize();
        m.put("model.embed_tokens.weight", new Shape(v, h));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
          String p = "model.layers." + i + ".";
          m.put(p + "input_layernorm.weight", new Shape(h));
          m.put(p + "self_attn.q_proj.weight", new Shape(q, h));
          m.put(p + "self_attn.k_proj.weight", new Shape(kv, h));
          m.put(p + "self_attn.v_proj.weight", new Shape(kv, h));
          m.put(p + "self_attn.o_proj.weight", new Shape(h, q));
          m.put(p + "post_attention_layernorm.weight", new Shape(h));
          m.put(p + "mlp.gate_proj.weight", new Shape(ff, h));
          m.put(p + "mlp.up_proj.weight", new Shape(ff, h));
          m.put(p + "mlp.down_proj.weight", new Shape(h, ff));
        }
        m.put("model.norm.weight", new Shape(h));
      }
      case FalconConfig c -> {
        long ff = c.ffnHiddenSize();
        m.put("transformer.word_embeddings.weight", new Shape(v, h));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
          String p = "transformer.h." + i + ".";
          m.put(p + "self_attention.query_key_value.weight", new Shape(c.qkvOutFeatures(), h));
          m.put(p + "self_attention.dense.weight", new Shape(h, h));
          m.put(p + "mlp.dense_h_to_4h.weight", new Shape(ff, h));
          m.put(p + "mlp.dense_4h_to_h.weight", new Shape(h, ff));
          if (c.bias()) {
            m.put(p + "self_attention.query_key_value.bias", new Shape(c.qkvOutFeatures()));
            m.put(p + "self_attention.dense.bias", new Shape(h));
            m.put(p + "mlp.dense_h_to_4h.bias", new Shape(ff));
            m.put(p + "mlp.dense_4h_to_h.bias", new Shape(h));
          }
          for (String norm :
              switch (c.normLayout()) {
                case PARALLEL_SEPARATE -> new String[] {"ln_attn", "ln_mlp"};
                case PARALLEL_SHARED -> new String[] {"input_layernorm"};
                case SEQUENTIAL -> new String[] {"input_layernorm", "post_attention_layernorm"};
              }) {
            m.put(p + norm + ".weight", new Shape(h));
            m.put(p + norm + ".bias", new Shape(h));
          }
        }
        m.put("transformer.ln_f.weight", new Shape(h));
        m.put("transformer.ln_f.bias", new Shape(h));
      }
    }
    if (!config.tieWordEmbeddings()) {
      m.put("lm_head.weight", new Shape(v, h));
    }
    return m;
  }
}
