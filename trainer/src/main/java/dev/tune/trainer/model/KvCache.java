package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Optional;

/**
 * One layer's keys and values from earlier forward passes, {@code [batch, kv_heads, seq, head_dim]}
 * after RoPE and before the grouped-query repeat. The arrays belong to the cache's manager, not to
 * the forward pass that made them.
 */
public final class KvCache {

  private final NDManager manager;
  private NDArray keys;
  private NDArray values;

  KvCache(NDManager manager) {
    this.manager = manager;
  }

  /** Number of cached positions. */
  public int length() {
    return keys == null ? 0 : (int) keys.getShape().get(2);
  }

  public Optional<NDArray> keys() {
    return Optional.ofNullable(keys);
  }

  public Optional<NDArray> values() {
    return Optional.ofNullable(values);
  }

  /**
   * Appends this pass's keys and values and returns the full (cached + new) pair. The returned
   * arrays stay owned by the cache: callers must not close them.
   */
  public NDArray[] append(NDArray newKeys, NDArray newValues) {
    NDArray k = keys == null ? newKeys.duplicate() : keys.concat(newKeys, 2);
    NDArray v = values == null ? newValues.duplicate() : values.concat(newValues, 2);
    keep(k);
    keep(v);
    if (keys != null) {
      keys.close();
      values.close();
    }
    keys = k;
    values = v;
    return new NDArray[] {k, v};
  }

  private void keep(NDArray array) {
    NDScope.unregister(array);
    array.attach(manager);
  }
}
