package dev.tune.trainer.model.generation;

/** Why a sequence stopped. */
public enum FinishReason {
  /** It emitted an end-of-sequence id. */
  EOS,
  /** It reached {@code max_new_tokens}. */
  LENGTH
}
