package dev.tune.trainer.model.falcon;

import ai.djl.ndarray.NDArray;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.FalconConfig.NormLayout;
import dev.tune.trainer.model.KvCache;
import java.util.Optional;

/**
 * {@code FalconDecoderLayer}. Parallel layouts: {@code out = x + (mlp(ln_mlp(x)) +
 * attn(ln_attn(x)))} with one shared norm or two; sequential: {@code h = x + attn(ln(x)); out = h +
 * mlp(ln2(h))}.
 */
public final class FalconDecoderLayer {

  private final NormLayout layout;
  private final LayerNorm attentionNorm;
  private final LayerNorm mlpNorm;
  private final FalconAttention selfAttention;
  private final FalconMlp mlp;

  /**
   * @param attentionNorm {@code input_layernorm}, or {@code ln_attn} for {@link
   *     NormLayout#PARALLEL_SEPARATE}
   * @param mlpNorm {@code ln_mlp} or {@code post_attention_layernorm}; {@code null} for {@link
   *     NormLayout#PARALLEL_SHARED}
   */
  public FalconDecoderLayer(
      NormLayout layout,
      LayerNorm attentionNorm,
      LayerNorm mlpNorm,
      FalconAttention selfAttention,
      FalconMlp mlp) {
    this.layout = layout;
    this.attentionNorm = attentionNorm;
    this.mlpNorm = mlpNorm;
    this.selfAttention = selfAttention;
    this.mlp = mlp;
  }

  public NDArray forward(NDArray x, AttentionContext context, Optional<KvCache> cache) {
    NDArray attnIn = attentionNorm.forward(x);
    NDArray attnOut = selfAttention.forward(attnIn, context, cache);
    return switch (layout) {
      case SEQUENTIAL -> {
        NDArray h = x.add(attnOut);
        yield h.add(mlp.forward(mlpNorm.forward(h)));
      }
      case PARALLEL_SHARED -> x.add(mlp.forward(attnIn).add(attnOut));
      case PARALLEL_SEPARATE -> x.add(mlp.forward(mlpNorm.forward(x)).add(attnOut));
    };
  }
}
