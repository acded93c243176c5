package dev.tune.core.train;

/** Which end of an over-long example is cut off, as transformers' {@code truncation_side}. */
public enum TruncationSide {
  /** Keep the first {@code max_seq_length} tokens (transformers' default). */
  RIGHT,
  /** Keep the last {@code max_seq_length} tokens, so the end of the answer survives. */
  LEFT
}
