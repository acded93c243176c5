package dev.tune.core.train;

/**
 * The shape of the JSON Lines training records, following TRL's data set formats. Each record holds
 * the fields named here.
 */
public enum DataFormat {
  /** Decided per file from the fields of the first record, as TRL does. */
  AUTO,
  /** {@code {"text": ...}}: plain language modeling. */
  TEXT,
  /** {@code {"prompt": ..., "completion": ...}}: the loss is on the completion only. */
  PROMPT_COMPLETION,
  /** {@code {"messages": [{"role": ..., "content": ...}]}}: rendered with the chat template. */
  CHAT
}
