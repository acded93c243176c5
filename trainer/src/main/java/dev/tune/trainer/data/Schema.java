package dev.tune.trainer.data;

import java.util.Map;
import java.util.Optional;

/** The shape of the rows of a data set, with the fields that hold each part. */
public sealed interface Schema {

  /** How {@code tune data inspect} names it, e.g. {@code instruction (Dolly)}. */
  String describe();

  /** Plain text in one field; every token is trained. */
  record Text(String field) implements Schema {
    @Override
    public String describe() {
      return "text (field '" + field + "')";
    }
  }

  /**
   * Instruction data, rendered with a {@link PromptTemplate}: Dolly's {@code
   * instruction/context/response} or Alpaca's {@code instruction/input/output}.
   */
  record Instruction(String instruction, Optional<String> input, String response)
      implements Schema {
    @Override
    public String describe() {
      String style = response.equals("output") ? "Alpaca" : "Dolly";
      return "instruction ("
          + style
          + ": "
          + instruction
          + input.map(i -> "/" + i).orElse("")
          + "/"
          + response
          + ")";
    }
  }

  /** A prompt and its completion as two text fields. */
  record PromptCompletion(String prompt, String completion) implements Schema {
    @Override
    public String describe() {
      return "prompt_completion (" + prompt + "/" + completion + ")";
    }
  }

  /**
   * A conversation: a list of turns under {@code field}, each with a role and a content key.
   * ShareGPT's {@code conversations} of {@code from/value} with roles {@code human}, {@code gpt}
   * map to {@code user}, {@code assistant}.
   */
  record Chat(String field, String roleKey, String contentKey, Map<String, String> roleNames)
      implements Schema {
    static final Chat MESSAGES = new Chat("messages", "role", "content", Map.of());
    static final Chat SHAREGPT =
        new Chat(
            "conversations",
            "from",
            "value",
            Map.of(
                "human",
                "user",
                "user",
                "user",
                "gpt",
                "assistant",
                "assistant",
                "assistant",
                "system",
                "system",
                "tool",
                "tool",
                "function_call",
                "assistant",
                "observation",
                "tool"));

    @Override
    public String describe() {
      return field.equals("conversations")
          ? "chat (ShareGPT conversations: from/value)"
          : "chat (" + field + ": " + roleKey + "/" + contentKey + ")";
    }

    /** The chat-template role of a role as written. */
    String role(String written) {
      return roleNames.isEmpty() ? written : roleNames.get(written);
    }
  }
}
