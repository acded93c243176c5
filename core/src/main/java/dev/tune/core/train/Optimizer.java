package dev.tune.core.train;

/** The optimizer ({@code optim}), as in transformers' {@code Trainer}. */
public enum Optimizer {
  /** AdamW with 32-bit states. */
  ADAMW_TORCH,
  /** AdamW with blockwise 8-bit states. */
  ADAMW_8BIT,
  /** AdamW with 8-bit states that may be evicted from GPU memory under pressure. */
  PAGED_ADAMW_8BIT
}
