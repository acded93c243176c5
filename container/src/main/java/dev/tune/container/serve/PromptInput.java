package dev.tune.container.serve;

import java.util.List;
import java.util.Map;

/** What to complete: a plain text, or a conversation rendered with the model's chat template. */
public sealed interface PromptInput {

  /** A text to continue, encoded with the tokenizer's special tokens (BOS for Llama). */
  record Text(String text) implements PromptInput {}

  /**
   * A conversation; each message is a JSON object with at least a {@code role}, passed to the
   * template as is, and the template's generation prompt is added.
   */
  record Chat(List<Map<String, Object>> messages) implements PromptInput {
    public Chat {
      messages = List.copyOf(messages);
    }
  }
}
