package dev.tune.trainer.model;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The key/value caches of every decoder layer for incremental decoding: prefill with the prompt,
 * then feed one token per step. Close it to free the cached arrays.
 */
public final class DecoderCache implements AutoCloseable {

  private final NDManager manager;
  private final List<KvCache> layers;

  DecoderCache(NDManager manager, int numLayers) {
    this.manager = manager;
    List<KvCache> list = new ArrayList<>(numLayers);
    for (int i = 0; i < numLayers; i++) {
      list.add(new KvCache(manager));
    }
    this.layers = Collections.unmodifiableList(list);
  }

  /** Number of positions already cached (the same for every layer). */
  public int length() {
    return layers.get(0).length();
  }

  public KvCache layer(int index) {
    return layers.get(index);
  }

  public int numLayers() {
    return layers.size();
  }

  @Override
  public void close() {
    manager.close();
  }
}
