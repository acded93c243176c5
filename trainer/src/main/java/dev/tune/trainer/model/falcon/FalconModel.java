package dev.tune.trainer.model.falcon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.DecoderModel;
import dev.tune.trainer.model.Embedding;
import dev.tune.trainer.model.FalconConfig;
import dev.tune.trainer.model.FalconConfig.NormLayout;
import dev.tune.trainer.model.KvCache;
import dev.tune.trainer.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rotary Falcon body ({@code FalconModel}): {@code transformer.word_embeddings}, {@code
 * transformer.h.N}, {@code transformer.ln_f}.
 */
public final class FalconModel implements DecoderModel {

  private final Embedding wordEmbeddings;
  private final List<FalconDecoderLayer> h;
  private final LayerNorm lnF;

  private FalconModel(Embedding wordEmbeddings, List<FalconDecoderLayer> h, LayerNorm lnF) {
    this.wordEmbeddings = wordEmbeddings;
    this.h = List.copyOf(h);
    this.lnF = lnF;
  }

  /** Takes the body's tensors from {@code weights} under transformers' names. */
  public static FalconModel load(FalconConfig c, ModelWeights weights) {
    long hidden = c.hiddenSize();
    Embedding embed =
        new Embedding(
            "transformer.word_embeddings",
            weights.tensor("transformer.word_embeddings.weight", new Shape(c.vocabSize(), hidden)));
    NormLayout normLayout = c.normLayout();
    List<FalconDecoderLayer> layers = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "transformer.h." + i + ".";
      FalconAttention attention =
          new FalconAttention(
              weights.linear(
                  p + "self_attention.query_key_value", hidden, c.qkvOutFeatures(), c.bias()),
              weights.linear(p + "self_attention.dense", hidden, hidden, c.bias()),
              c.qkvLayout(),
              c.numAttentionHeads(),
              c.numKeyValueHeads(),
              c.headDim());
      FalconMlp mlp =
          new FalconMlp(
              weights.linear(p + "mlp.dense_h_to_4h", hidden, c.ffnHiddenSize(), c.bias()),
              weights.linear(p + "mlp.dense_4h_to_h", c.ffnHiddenSize(), hidden, c.bias()),
              c.activation());
      LayerNorm attentionNorm;
      LayerNorm mlpNorm;
      switch (normLayout) {
        case PARALLEL_SEPARATE -> {
          attentionNorm = norm(weights, p + "ln_attn", c);
          mlpNorm = norm(weights, p + "ln_mlp", c);
        }
        case PARALLEL_SHARED -> {
          attentionNorm = norm(weights, p + "input_layernorm", c);
          mlpNorm = null;
        }
        case SEQUENTIAL -> {
          attentionNorm = norm(weights, p + "input_layernorm", c);
          mlpNorm = norm(weights, p + "post_attention_layernorm", c);
        }
        default -> throw new AssertionError(normLayout);
      }
      layers.add(new FalconDecoderLayer(normLayout, attentionNorm, mlpNorm, attention, mlp));
    }
    return new FalconModel(embed, layers, norm(weights, "transformer.ln_f", c));
  }

  private static LayerNorm norm(ModelWeights weights, String module, FalconConfig c) {
    Shape shape = new Shape(c.hiddenSize());
    return new LayerNorm(
        weights.tensor(module + ".weight", shape),
        weights.tensor(module + ".bias", shape),
        c.layerNormEpsilon());
  }

  @Override
  public Embedding embeddings() {
    return wordEmbeddings;
  }

  @Override
  public int numLayers() {
    return h.size();
  }

  @Override
  public NDArray forward(NDArray inputIds, AttentionContext context, Optional<DecoderCache> cache) {
    NDArray x = wordEmbeddings.forward(inputIds);
    for (int i = 0; i < h.size(); i++) {
      int layer = i;
      x = h.get(i).forward(x, context, cache.map(dc -> dc.layer(layer)));
    }
    return lnF.forward(x);
  }

  @Override
  public NDArray embed(NDArray inputIds) {
    return wordEmbeddings.forward(inputIds);
  }

  @Override
  public NDArray layer(
      int index, NDArray hidden, AttentionContext context, Optional<KvCache> cache) {
    return h.get(index).forward(hidden, context, cache);
  }

  @Override
  public NDArray finalNorm(NDArray hidden) {
    return lnF.forward(hidden);
  }
}
