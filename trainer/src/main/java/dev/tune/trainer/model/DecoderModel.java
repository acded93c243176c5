package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * A family's transformer body without the output head ({@code LlamaModel}, {@code FalconModel}):
 * embeddings, decoder layers, final norm.
 */
public interface DecoderModel {

  /** The input embeddings; the output head shares them when {@code tie_word_embeddings}. */
  Embedding embeddings();

  int numLayers();

  /**
   * Runs the body.
   *
   * @param inputIds {@code [batch, seq]}
   * @param context rotary angles and the attention mask for this pass
   * @param cache per-layer key/value caches to extend; empty for a plain forward
   * @return the final normed hidden states, {@code [batch, seq, hidden]}
   */
  NDArray forward(NDArray inputIds, AttentionContext context, Optional<DecoderCache> cache);
}
