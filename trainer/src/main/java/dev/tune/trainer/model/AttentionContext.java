package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * What every attention layer of one forward pass shares: the rotary angles of the new positions,
 * the additive mask over (cached + new) keys, and the score scale.
 *
 * @param mask float32 {@code [batch, 1, query, past + query]}, see {@link AttentionMask}
 * @param scale the 0-dim {@code 1/sqrt(head_dim)}, a {@link GraphConstant} of the model (autograd
 *     keeps it for the backward pass, so it must outlive the pass)
 */
public record AttentionContext(RotaryEmbedding.Angles angles, NDArray mask, NDArray scale) {}
