package dev.tune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.KvCache;
import java.util.Optional;

/** Pre-norm residual block: {@code h = x + attn(norm(x)); out = h + mlp(norm(h))}. */
public final class LlamaDecoderLayer {

  private final RmsNorm inputLayernorm;
  private final LlamaAttention selfAttn;
  private final RmsNorm postAttentionLayernorm;
  private final LlamaMlp mlp;

  public LlamaDecoderLayer(
      RmsNorm inputLayernorm,
      LlamaAttention selfAttn,
      RmsNorm postAttentionLayernorm,
      LlamaMlp mlp) {
    this.inputLayernorm = inputLayernorm;
    this.selfAttn = selfAttn;
    this.postAttentionLayernorm = postAttentionLayernorm;
    this.mlp = mlp;
  }

  public NDArray forward(NDArray x, AttentionContext context, Optional<KvCache> cache) {
    NDArray h = x.add(selfAttn.forward(inputLayernorm.forward(x), context, cache));
    return h.add(mlp.forward(postAttentionLayernorm.forward(h)));
  }
}
