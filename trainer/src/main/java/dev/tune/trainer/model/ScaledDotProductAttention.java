package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code softmax(q·kᵀ / sqrt(head_dim) + mask)·v} with grouped-query attention: each key/value head
 * serves {@code heads / kv_heads} consecutive query heads (transformers' {@code repeat_kv}). Scores
 * are masked and softmaxed in float32 and cast back, as transformers' eager attention softmaxes.
 */
public final class ScaledDotProductAttention {

  private ScaledDotProductAttention() {}

  /**
   * @param query {@code [batch, heads, q, head_dim]}
   * @param key {@code [batch, kv_heads, k, head_dim]}
   * @param value {@code [batch, kv_heads, k, head_dim]}
   * @param mask additive float32 {@code [batch, 1, q, k]}
   * @return {@code [batch, q, heads * head_dim]}
   */
  public static NDArray attend(NDArray query, NDArray key, NDArray value, NDArray mask) {
    Shape qs = query.getShape();
    long batch = qs.get(0);
    long heads = qs.get(1);
    long queries = qs.get(2);
    long headDim = qs.get(3);
    NDArray k = repeatKv(key, heads);
    NDArray v = repeatKv(value, heads);
    DataType dtype = query.getDataType();
    NDArray scores = query.matMul(k.transpose(0, 1, 3, 2)).mul(Math.pow((double) headDim, -0.5));
    // The mask is added in float32: a float16 score plus float16's lowest value could overflow
    // to -inf, and a fully masked (padding) row of -inf would softmax to NaN.
    NDArray probs =
        scores.toType(DataType.FLOAT32, false).add(mask).softmax(-1).toType(dtype, false);
    NDArray out = probs.matMul(v);
    return out.transpose(0, 2, 1, 3).reshape(batch, queries, heads * headDim);
  }

  /** {@code [b, kv, t, d] -> [b, heads, t, d]}, each KV head repeated for its query group. */
  static NDArray repeatKv(NDArray x, long heads) {
    Shape s = x.getShape();
    long kvHeads = s.get(1);
    if (kvHeads == heads) {
      return x;
    }
    long groups = heads / kvHeads;
    return x.expandDims(2)
        .broadcast(s.get(0), kvHeads, groups, s.get(2), s.get(3))
        .reshape(s.get(0), heads, s.get(2), s.get(3));
  }
}
