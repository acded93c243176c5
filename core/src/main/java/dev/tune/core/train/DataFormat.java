package dev.tune.core.train;

/**
 * The shape of the training records, following TRL's data set formats plus the instruction data
 * sets (Dolly, Alpaca) that are rendered with a prompt template.
 */
public enum DataFormat {
  /** Decided from the fields of the first record. */
  AUTO,
  /** {@code {"text": ...}} (or the field {@code text_field} names): plain language modeling. */
  TEXT,
  /**
   * Dolly's {@code instruction/context/response} or Alpaca's {@code instruction/input/output},
   * rendered with {@code prompt_template}; the loss is on the response only.
   */
  INSTRUCTION,
  /** {@code {"prompt": ..., "completion": ...}}: the loss is on the completion only. */
  PROMPT_COMPLETION,
  /**
   * {@code {"messages": [{"role": ..., "content": ...}]}} or ShareGPT's {@code {"conversations":
   * [{"from": ..., "value": ...}]}}: rendered with the model's chat template, the loss on the
   * assistant turns only.
   */
  CHAT
}
