package dev.tune.trainer.plan;

import dev.tune.trainer.model.FalconConfig;
import dev.tune.trainer.model.LlamaConfig;
import dev.tune.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor shapes of one model family as tune's trainer builds it, read off {@code config.json}:
 * module names as in the checkpoint, each decoder layer's projections and norms, and the widths the
 * activations take.
 *
 * @param config the model's config
 * @param embeddingName the input embeddings' module name
 * @param layerPrefix decoder layer {@code i} is {@code layerPrefix + i}
 * @param finalNormName the final norm's module name
 * @param projections one decoder layer's projections, names relative to the layer
 * @param layerNormNames one layer's norms, names relative to the layer
 * @param finalNormElements float32 elements of the final norm
 * @param intermediate the MLP's inner width
 * @param gatedMlp whether the MLP is gate/up/down (Llama) rather than up/down (Falcon)
 * @param rmsNorm RMSNorm (Llama) rather than LayerNorm (Falcon)
 */
public record ModelShapes(
    ModelConfig config,
    String embeddingName,
    String layerPrefix,
    String finalNormName,
    List<Projection> projections,
    List<String> layerNormNames,
    long finalNormElements,
    long intermediate,
    boolean gatedMlp,
    boolean rmsNorm) {

  /** The output head's module name, as both families name it. */
  public static final String HEAD_NAME = "lm_head";

  /**
   * A projection {@code [out, in]} of a decoder layer.
   *
   * @param name relative to the layer, e.g. {@code self_attn.q_proj}
   */
  public record Projection(String name, long in, long out, boolean bias) {
    long numel() {
      return in * out;
    }
  }

  public ModelShapes {
    projections = List.copyOf(projections);
    layerNormNames = List.copyOf(layerNormNames);
  }

  public static ModelShapes of(ModelConfig config) {
    return switch (config) {
      case LlamaConfig c -> llama(c);
      case FalconConfig c -> falcon(c);
    };
  }

  private static ModelShapes llama(LlamaConfig c) {
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long i = c.intermediateSize();
    List<Projection> p = new ArrayList<>();
    p.add(new Projection("self_attn.q_proj", h, q, c.attentionBias()));
    p.add(new Projection("self_attn.k_proj", h, kv, c.attentionBias()));
    p.add(new Projection("self_attn.v_proj", h, kv, c.attentionBias()));
    p.add(new Projection("self_attn.o_proj", q, h, c.attentionBias()));
    p.add(new Projection("mlp.gate_proj", h, i, c.mlpBias()));
    p.add(new Projection("mlp.up_proj", h, i, c.mlpBias()));
    p.add(new Projection("mlp.down_proj", i, h, c.mlpBias()));
    return new ModelShapes(
        c,
        "model.embed_tokens",
        "model.layers.",
        "model.norm",
        p,
        List.of("input_layernorm", "post_attention_layernorm"),
        h,
        i,
        true,
        true);
  }

  private static ModelShapes falcon(FalconConfig c) {
    long h = c.hiddenSize();
    long f = c.ffnHiddenSize();
    List<Projection> p = new ArrayList<>();
    p.add(new Projection("self_attention.query_key_value", h, c.qkvOutFeatures(), c.bias()));
    p.add(new Projection("self_attention.dense", h, h, c.bias()));
    p.add(new Projection("mlp.dense_h_to_4h", h, f, c.bias()));
    p.add(new Projection("mlp.dense_4h_to_h", f, h, c.bias()));
    List<String> norms =
        switch (c.normLayout()) {
          case SEQUENTIAL -> List.of("input_layernorm", "post_attention_layernorm");
          case PARALLEL_SHARED -> List.of("input_layernorm");
          case PARALLEL_SEPARATE -> List.of("ln_attn", "ln_mlp");
        };
    // LayerNorm has a weight and a bias.
    return new ModelShapes(
        c,
        "transformer.word_embeddings",
        "transformer.h.",
        "transformer.ln_f",
        p,
        norms,
        2 * h,
        f,
        false,
        false);
  }

  public long hidden() {
    return config.hiddenSize();
  }

  public long vocab() {
    return config.vocabSize();
  }

  public int layers() {
    return config.numHiddenLayers();
  }

  public boolean tiedHead() {
    return config.tieWordEmbeddings();
  }

  /** How many norms one layer applies. */
  public int layerNorms() {
    return layerNormNames.size();
  }

  /** Float32 elements of one layer's norm weights (and LayerNorm biases). */
  public long layerNormElements() {
    return layerNorms() * hidden() * (rmsNorm ? 1 : 2);
  }

  /**
   * Every tensor of the checkpoint with its shape, in the order the model reads them: the names
   * {@code model.safetensors} uses.
   */
  public Map<String, long[]> checkpointTensors() {
    Map<String, long[]> out = new LinkedHashMap<>();
    long h = hidden();
    out.put(embeddingName + ".weight", new long[] {vocab(), h});
    for (int i = 0; i < layers(); i++) {
      String layer = layerName(i) + ".";
      for (String norm : layerNormNames) {
        normTensors(out, layer + norm);
      }
      for (Projection p : projections) {
        out.put(layer + p.name() + ".weight", new long[] {p.out(), p.in()});
        if (p.bias()) {
          out.put(layer + p.name() + ".bias", new long[] {p.out()});
        }
      }
    }
    normTensors(out, finalNormName);
    if (!tiedHead()) {
      out.put(HEAD_NAME + ".weight", new long[] {vocab(), h});
    }
    return out;
  }

  private void normTensors(Map<String, long[]> out, String norm) {
    out.put(norm + ".weight", new long[] {hidden()});
    if (!rmsNorm) {
      out.put(norm + ".bias", new long[] {hidden()});
    }
  }

  public String layerName(int i) {
    return layerPrefix + i;
  }

  /** Parameters of the base model (quantized or not), the head counted once when tied. */
  public long parameterCount() {
    long perLayer = layerNormElements();
    for (Projection p : projections) {
      perLayer += p.numel() + (p.bias() ? p.out() : 0);
    }
    long embeddings = vocab() * hidden();
    return embeddings + (tiedHead() ? 0 : embeddings) + finalNormElements + perLayer * layers();
  }
}
