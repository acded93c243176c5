package dev.tune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.DecoderModel;
import dev.tune.trainer.model.Embedding;
import dev.tune.trainer.model.KvCache;
import dev.tune.trainer.model.LlamaConfig;
import dev.tune.trainer.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Llama/Mistral body ({@code LlamaModel}, {@code MistralModel}): {@code model.embed_tokens},
 * {@code model.layers.N}, {@code model.norm}. Mistral differs only by its sliding attention window,
 * which the attention mask carries.
 */
public final class LlamaModel implements DecoderModel {

  private final Embedding embedTokens;
  private final List<LlamaDecoderLayer> layers;
  private final RmsNorm norm;

  private LlamaModel(Embedding embedTokens, List<LlamaDecoderLayer> layers, RmsNorm norm) {
    this.embedTokens = embedTokens;
    this.layers = List.copyOf(layers);
    this.norm = norm;
  }

  /** Takes the body's tensors from {@code weights} under transformers' names. */
  public static LlamaModel load(LlamaConfig c, ModelWeights weights) {
    long hidden = c.hiddenSize();
    long qOut = (long) c.numAttentionHeads() * c.headDim();
    long kvOut = (long) c.numKeyValueHeads() * c.headDim();
    Embedding embed =
        new Embedding(
            "model.embed_tokens",
            weights.tensor("model.embed_tokens.weight", new Shape(c.vocabSize(), hidden)));
    List<LlamaDecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      boolean ab = c.attentionBias();
      LlamaAttention attn =
          new LlamaAttention(
              weights.linear(p + "self_attn.q_proj", hidden, qOut, ab),
              weights.linear(p + "self_attn.k_proj", hidden, kvOut, ab),
              weights.linear(p + "self_attn.v_proj", hidden, kvOut, ab),
              weights.linear(p + "self_attn.o_proj", qOut, hidden, ab),
              c.numAttentionHeads(),
              c.numKeyValueHeads(),
              c.headDim());
      boolean mb = c.mlpBias();
      LlamaMlp mlp =
          new LlamaMlp(
              weights.linear(p + "mlp.gate_proj", hidden, c.intermediateSize(), mb),
              weights.linear(p + "mlp.up_proj", hidden, c.intermediateSize(), mb),
              weights.linear(p + "mlp.down_proj", c.intermediateSize(), hidden, mb),
              c.hiddenAct());
      layers.add(
          new LlamaDecoderLayer(
              norm(weights, p + "input_layernorm.weight", c),
              attn,
              norm(weights, p + "post_attention_layernorm.weight", c),
              mlp));
    }
    return new LlamaModel(embed, layers, norm(weights, "model.norm.weight", c));
  }

  private static RmsNorm norm(ModelWeights weights, String name, LlamaConfig c) {
    return new RmsNorm(weights.tensor(name, new Shape(c.hiddenSize())), c.rmsNormEps());
  }

  @Override
  public Embedding embeddings() {
    return embedTokens;
  }

  @Override
  public int numLayers() {
    return layers.size();
  }

  @Override
  public NDArray forward(NDArray inputIds, AttentionContext context, Optional<DecoderCache> cache) {
    NDArray h = embedTokens.forward(inputIds);
    for (int i = 0; i < layers.size(); i++) {
      int layer = i;
      h = layers.get(i).forward(h, context, cache.map(c -> c.layer(layer)));
    }
    return norm.forward(h);
  }

  @Override
  public NDArray embed(NDArray inputIds) {
    return embedTokens.forward(inputIds);
  }

  @Override
  public NDArray layer(
      int index, NDArray hidden, AttentionContext context, Optional<KvCache> cache) {
    return layers.get(index).forward(hidden, context, cache);
  }

  @Override
  public NDArray finalNorm(NDArray hidden) {
    return norm.forward(hidden);
  }
}
