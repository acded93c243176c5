package dev.tune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import dev.tune.trainer.model.AttentionContext;
import dev.tune.trainer.model.KvCache;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.model.ScaledDotProductAttention;
import java.util.Optional;

/**
 * Multi-head attention with grouped key/value heads and RoPE, as {@code LlamaAttention}: {@code
 * q_proj}, {@code k_proj}, {@code v_proj} split into heads, rotary on q and k, cached keys and
 * values prepended, scaled dot-product, {@code o_proj}.
 */
public final class LlamaAttention {

  private final Linear qProj;
  private final Linear kProj;
  private final Linear vProj;
  private final Linear oProj;
  private final int numHeads;
  private final int numKeyValueHeads;
  private final int headDim;

  public LlamaAttention(
      Linear qProj,
      Linear kProj,
      Linear vProj,
      Linear oProj,
      int numHeads,
      int numKeyValueHeads,
      int headDim) {
    this.qProj = qProj;
    this.kProj = kProj;
    this.vProj = vProj;
    this.oProj = oProj;
    this.numHeads = numHeads;
    this.numKeyValueHeads = numKeyValueHeads;
    this.headDim = headDim;
  }

  /** {@code [batch, seq, hidden] -> [batch, seq, hidden]}. */
  public NDArray forward(NDArray hidden, AttentionContext context, Optional<KvCache> cache) {
    long batch = hidden.getShape().get(0);
    long seq = hidden.getShape().get(1);
    NDArray q = heads(qProj.forward(hidden), batch, seq, numHeads);
    NDArray k = heads(kProj.forward(hidden), batch, seq, numKeyValueHeads);
    NDArray v = heads(vProj.forward(hidden), batch, seq, numKeyValueHeads);
    q = context.angles().apply(q);
    k = context.angles().apply(k);
    if (cache.isPresent()) {
      NDArray[] kv = cache.get().append(k, v);
      k = kv[0];
      v = kv[1];
    }
    return oProj.forward(ScaledDotProductAttention.attend(q, k, v, context.mask()));
  }

  /** {@code [b, s, n * d] -> [b, n, s, d]}. */
  private NDArray heads(NDArray x, long batch, long seq, int n) {
    return x.reshape(batch, seq, n, headDim).transpose(0, 2, 1, 3);
  }
}
