package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * What every attention layer of one forward pass shares: the rotary angles of the new positions and
 * the additive mask over (cached + new) keys.
 *
 * @param mask float32 {@code [batch, 1, query, past + query]}, see {@link AttentionMask}
 */
public record AttentionContext(RotaryEmbedding.Angles angles, NDArray mask) {}
