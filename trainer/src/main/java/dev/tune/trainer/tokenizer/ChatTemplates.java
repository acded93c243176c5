package dev.tune.trainer.tokenizer;

import dev.tune.core.error.BadInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The chat templates of a model: none, one, or several by name (transformers' dict form, e.g.
 * "default" and "tool_use"), with transformers' rule for choosing one.
 */
public final class ChatTemplates {

  public static final ChatTemplates NONE = new ChatTemplates(Map.of(), false);

  private final Map<String, ChatTemplate> byName;
  private final boolean named;

  private ChatTemplates(Map<String, ChatTemplate> byName, boolean named) {
    this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    this.named = named;
  }

  /** A model with a single template (transformers keeps a string). */
  static ChatTemplates single(ChatTemplate template) {
    return new ChatTemplates(Map.of(template.name(), template), false);
  }

  /** A model with named templates (transformers keeps a dict). */
  static ChatTemplates named(Map<String, ChatTemplate> templates) {
    return new ChatTemplates(templates, true);
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /** The templates by name; a single template is named "default". */
  public Map<String, ChatTemplate> byName() {
    return byName;
  }

  public Optional<ChatTemplate> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * The template transformers would use: the one asked for by name; else "tool_use" when tools are
   * given and it exists; else "default"; a model with a single template always uses it.
   *
   * @throws BadInputException if the model has no template, or no template fits
   */
  public ChatTemplate select(Optional<String> name, boolean withTools) {
    if (byName.isEmpty()) {
      throw new BadInputException(
          "This model has no chat template (no chat_template.jinja and no chat_template in"
              + " tokenizer_config.json).",
          "Add a chat_template.jinja to the model directory, or render with a ChatTemplate"
              + " compiled from your own template.");
    }
    if (name.isPresent()) {
      ChatTemplate chosen = byName.get(name.get());
      if (chosen == null) {
        throw new BadInputException(
            "This model has no chat template named '" + name.get() + "'.",
            "Name one of " + new TreeSet<>(byName.keySet()) + ".");
      }
      return chosen;
    }
    if (!named) {
      return byName.values().iterator().next();
    }
    if (withTools && byName.containsKey("tool_use")) {
      return byName.get("tool_use");
    }
    ChatTemplate fallback = byName.get("default");
    if (fallback == null) {
      throw new BadInputException(
          "This model has multiple chat templates and none is named \"default\".",
          "Name one of "
              + new TreeSet<>(byName.keySet())
              + " with ChatRequest.Builder.templateName.");
    }
    return fallback;
  }
}
