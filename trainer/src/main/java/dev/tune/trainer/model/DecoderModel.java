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

  /**
   * The token embeddings that start {@link #forward}: {@code [batch, seq] -> [batch, seq, hidden]}.
   */
  NDArray embed(NDArray inputIds);

  /**
   * Decoder layer {@code index} alone, without a cache: what {@link #forward} runs between {@link
   * #embed} and {@link #finalNorm}, exposed so a trainer can recompute one layer at a time
   * (gradient checkpointing).
   */
  default NDArray layer(int index, NDArray hidden, AttentionContext context) {
    return layer(index, hidden, context, Optional.empty());
  }

  /**
   * Decoder layer {@code index}, extending {@code cache} (that layer's) when present: what {@link
   * #forward} runs per layer, exposed so a model placed over several devices can move the hidden
   * state between layers.
   */
  NDArray layer(int index, NDArray hidden, AttentionContext context, Optional<KvCache> cache);

  /** The final norm that ends {@link #forward}. */
  NDArray finalNorm(NDArray hidden);
}
