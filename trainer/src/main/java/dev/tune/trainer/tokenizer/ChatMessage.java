package dev.tune.trainer.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One plain-text turn of a conversation: {@code {"role": ..., "content": ...}}. */
public record ChatMessage(String role, String content) {

  public ChatMessage {
    Objects.requireNonNull(role, "role");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  /** The message as the template sees it, keys in transformers' order. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("role", role);
    map.put("content", content);
    return map;
  }
}
