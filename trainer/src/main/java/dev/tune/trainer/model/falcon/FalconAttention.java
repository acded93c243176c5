package dev.tune.trainer.model.falcon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.FalconConfig.QkvLayout;
import dev.tune.trainer.model.KvCache;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.model.ScaledDotProductAttention;
import java.util.Optional;

/**
 * {@code FalconAttention} with rotary embeddings: the fused {@code query_key_value} output split
 * into heads as {@code _split_heads} does for the three layouts, RoPE, cache, scaled dot-product,
 * {@code dense}.
 */
public final class FalconAttention {

  private final Linear queryKeyValue;
  private final Linear dense;
  private final QkvLayout layout;
  private final int numHeads;
  private final int numKvHeads;
  private final int headDim;

  /**
   * @param numKvHeads the K/V heads attention uses: {@code num_kv_heads} for {@link
   *     QkvLayout#GROUPED}, 1 for {@link QkvLayout#MULTI_QUERY}, {@code num_heads} otherwise
   */
  public FalconAttention(
      Linear queryKeyValue,
      Linear dense,
      QkvLayout layout,
      int numHeads,
      int numKvHeads,
      int headDim) {
    this.queryKeyValue = queryKeyValue;
    this.dense = dense;
    this.layout = layout;
    this.numHeads = numHeads;
    this.numKvHeads = numKvHeads;
    this.headDim = headDim;
  }

  public NDArray forward(NDArray hidden, AttentionContext context, Optional<KvCache> cache) {
    NDArray[] qkv = splitHeads(queryKeyValue.forward(hidden));
    NDArray q = context.angles().apply(qkv[0].transpose(0, 2, 1, 3));
    NDArray k = context.angles().apply(qkv[1].transpose(0, 2, 1, 3));
    NDArray v = qkv[2].transpose(0, 2, 1, 3);
    if (cache.isPresent()) {
      NDArray[] kv = cache.get().append(k, v);
      k = kv[0];
      v = kv[1];
    }
    return dense.forward(ScaledDotProductAttention.attend(q, k, v, context.mask()));
  }

  /**
   * Splits {@code [b, s, qkv_out]} into query {@code [b, s, heads, d]} and key, value {@code [b, s,
   * kv_heads, d]}.
   */
  NDArray[] splitHeads(NDArray fused) {
    long b = fused.getShape().get(0);
    long s = fused.getShape().get(1);
    return switch (layout) {
      case GROUPED -> {
        int group = numHeads / numKvHeads;
        NDArray x = fused.reshape(b, s, numKvHeads, group + 2, headDim);
        yield new NDArray[] {
          x.get(new NDIndex(":, :, :, :{}, :", group)).reshape(b, s, numHeads, headDim),
          x.get(new NDIndex(":, :, :, {}, :", group)),
          x.get(new NDIndex(":, :, :, {}, :", group + 1))
        };
      }
      case MULTI_QUERY -> {
        NDArray x = fused.reshape(b, s, numHeads + 2, headDim);
        yield new NDArray[] {
          x.get(new NDIndex(":, :, :{}, :", numHeads)),
          x.get(new NDIndex(":, :, {}:{}, :", numHeads, numHeads + 1)),
          x.get(new NDIndex(":, :, {}:, :", numHeads + 1))
        };
      }
      case PER_HEAD -> {
        NDArray x = fused.reshape(b, s, numHeads, 3, headDim);
        yield new NDArray[] {
          x.get(new NDIndex(":, :, :, 0, :")),
          x.get(new NDIndex(":, :, :, 1, :")),
          x.get(new NDIndex(":, :, :, 2, :"))
        };
      }
    };
  }
}
