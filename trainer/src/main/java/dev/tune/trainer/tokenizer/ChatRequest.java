package dev.tune.trainer.tokenizer;

import dev.tune.core.error.BadInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code apply_chat_template} takes: the conversation, the generation-prompt switches, tools
 * and documents for templates that render them, and extra template variables. Messages are
 * JSON-like maps ({@code role}, {@code content} as a string or a list of content blocks, {@code
 * tool_calls}, ...) so any template field can be passed.
 */
public final class ChatRequest {

  private final List<Map<String, Object>> messages;
  private final boolean addGenerationPrompt;
  private final boolean continueFinalMessage;
  private final List<Map<String, Object>> tools;
  private final List<Map<String, Object>> documents;
  private final Map<String, Object> variables;
  private final String templateName;

  private ChatRequest(Builder b) {
    this.messages = Collections.unmodifiableList(new ArrayList<>(b.messages));
    this.addGenerationPrompt = b.addGenerationPrompt;
    this.continueFinalMessage = b.continueFinalMessage;
    this.tools = b.tools == null ? null : List.copyOf(b.tools);
    this.documents = b.documents == null ? null : List.copyOf(b.documents);
    this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(b.variables));
    this.templateName = b.templateName;
  }

  /** A request for these plain-text messages. */
  public static ChatRequest of(List<ChatMessage> messages, boolean addGenerationPrompt) {
    Builder b = builder().addGenerationPrompt(addGenerationPrompt);
    messages.forEach(b::message);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.messages.addAll(messages);
    b.addGenerationPrompt = addGenerationPrompt;
    b.continueFinalMessage = continueFinalMessage;
    b.tools = tools;
    b.documents = documents;
    b.variables.putAll(variables);
    b.templateName = templateName;
    return b;
  }

  public List<Map<String, Object>> messages() {
    return messages;
  }

  public boolean addGenerationPrompt() {
    return addGenerationPrompt;
  }

  public boolean continueFinalMessage() {
    return continueFinalMessage;
  }

  public Optional<List<Map<String, Object>>> tools() {
    return Optional.ofNullable(tools);
  }

  public Optional<List<Map<String, Object>>> documents() {
    return Optional.ofNullable(documents);
  }

  /** Extra template variables; they override the special tokens of the same name. */
  public Map<String, Object> variables() {
    return variables;
  }

  /** The named template to use when the model has several ("default", "tool_use", ...). */
  public Optional<String> templateName() {
    return Optional.ofNullable(templateName);
  }

  /** Builds a {@link ChatRequest}. */
  public static final class Builder {
    private final List<Map<String, Object>> messages = new ArrayList<>();
    private boolean addGenerationPrompt;
    private boolean continueFinalMessage;
    private List<Map<String, Object>> tools;
    private List<Map<String, Object>> documents;
    private final Map<String, Object> variables = new LinkedHashMap<>();
    private String templateName;

    private Builder() {}

    public Builder message(ChatMessage message) {
      messages.add(message.toMap());
      return this;
    }

    public Builder message(String role, String content) {
      return message(new ChatMessage(role, content));
    }

    /** A message with any fields, e.g. {@code tool_calls} or a list of content blocks. */
    public Builder message(Map<String, ?> message) {
      Objects.requireNonNull(message, "message");
      messages.add(new LinkedHashMap<>(message));
      return this;
    }

    /** Ends the prompt with the header that starts an assistant turn. */
    public Builder addGenerationPrompt(boolean value) {
      this.addGenerationPrompt = value;
      return this;
    }

    /**
     * Leaves the final message open so that generation continues it (transformers' {@code
     * continue_final_message}); incompatible with {@link #addGenerationPrompt}.
     */
    public Builder continueFinalMessage(boolean value) {
      this.continueFinalMessage = value;
      return this;
    }

    /** Tool definitions as JSON schemas, exposed to the template as {@code tools}. */
    public Builder tools(List<? extends Map<String, ?>> value) {
      this.tools = value == null ? null : value.stream().map(ChatRequest::copy).toList();
      return this;
    }

    /** Documents for retrieval-augmented templates, exposed as {@code documents}. */
    public Builder documents(List<? extends Map<String, ?>> value) {
      this.documents = value == null ? null : value.stream().map(ChatRequest::copy).toList();
      return this;
    }

    public Builder variable(String name, Object value) {
      variables.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    public Builder templateName(String name) {
      this.templateName = name;
      return this;
    }

    public ChatRequest build() {
      if (messages.isEmpty()) {
        throw new BadInputException(
            "Cannot apply a chat template to an empty conversation.",
            "Add at least one message to the conversation.");
      }
      if (continueFinalMessage && addGenerationPrompt) {
        throw new BadInputException(
            "continueFinalMessage and addGenerationPrompt are not compatible.",
            "Use continueFinalMessage to let the model continue the final message, or"
                + " addGenerationPrompt to start a new assistant message, not both.");
      }
      return new ChatRequest(this);
    }
  }

  private static Map<String, Object> copy(Map<String, ?> map) {
    return new LinkedHashMap<>(map);
  }
}
