package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import dev.tune.core.error.BadInputException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One chat template, rendered the way transformers' {@code apply_chat_template(...,
 * tokenize=False)} renders it: same Jinja environment settings, same variables ({@code messages},
 * {@code add_generation_prompt}, {@code tools}, {@code documents}, the special tokens as strings),
 * same handling of {@code continue_final_message}.
 */
public final class ChatTemplate {

  private static final Set<String> RESERVED =
      Set.of("messages", "tools", "documents", "add_generation_prompt");

  // transformers appends this to the final message, renders, then cuts the text at it.
  private static final String CONTINUE_TAG = "CONTINUE_FINAL_MESSAGE_TAG ";

  private final String name;
  private final String source;
  private final String origin;
  private final TemplateSourceCheck.Adapted adapted;
  private final SpecialTokens specialTokens;
  private final Clock clock;

  private ChatTemplate(
      String name, String source, String origin, SpecialTokens specialTokens, Clock clock) {
    this.name = name;
    this.source = source;
    this.origin = origin;
    this.specialTokens = specialTokens;
    this.clock = clock;
    this.adapted = TemplateSourceCheck.adapt(source);
  }

  /**
   * Compiles a template and checks it parses.
   *
   * @param name the template's name ("default" for a model's only template)
   * @param source the Jinja source
   * @param origin where the source came from, for error messages (a file, or "inline")
   * @param specialTokens the tokens the template sees as {@code bos_token}, {@code eos_token}, ...
   * @throws ChatTemplateException if the template does not parse or uses what the renderer lacks
   */
  public static ChatTemplate compile(
      String name, String source, String origin, SpecialTokens specialTokens) {
    Objects.requireNonNull(source, "source");
    ChatTemplate template =
        new ChatTemplate(
            Objects.requireNonNull(name, "name"),
            source,
            Objects.requireNonNull(origin, "origin"),
            Objects.requireNonNull(specialTokens, "specialTokens"),
            // Python's datetime.now() is local time, so strftime_now uses the local zone.
            Clock.system(ZoneId.systemDefault()));
    template.check();
    return template;
  }

  /** Compiles an inline template that has no special tokens. */
  public static ChatTemplate compile(String source) {
    return compile("default", source, "inline template", SpecialTokens.NONE);
  }

  /** The same template reading {@code strftime_now} from this clock. */
  ChatTemplate withClock(Clock value) {
    return new ChatTemplate(name, source, origin, specialTokens, value);
  }

  public String name() {
    return name;
  }

  public String source() {
    return source;
  }

  public String origin() {
    return origin;
  }

  public SpecialTokens specialTokens() {
    return specialTokens;
  }

  private void check() {
    JinjaEnvironment env = JinjaEnvironment.get();
    List<String> problems = new ArrayList<>();
    for (TemplateError error : env.parseErrors(adapted.source())) {
      problems.add(describe(error));
    }
    problems.addAll(TemplateSourceCheck.problems(source, env.globals()));
    if (!problems.isEmpty()) {
      throw new ChatTemplateException(
          name,
          "Chat template '"
              + name
              + "' from "
              + origin
              + " cannot be used: "
              + String.join("; ", problems),
          "Fix the template in the model directory (chat_template.jinja or the chat_template"
              + " entry of tokenizer_config.json).",
          null);
    }
  }

  /** Renders a plain-text conversation. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(ChatRequest.of(messages, addGenerationPrompt));
  }

  /**
   * Renders the conversation to the prompt text.
   *
   * @throws ChatTemplateException if the template raises (e.g. roles do not alternate) or fails
   */
  public String render(ChatRequest request) {
    List<Object> messages = new ArrayList<>();
    for (Map<String, Object> message : request.messages()) {
      messages.add(TemplateValues.copy(message));
    }
    String finalText = request.continueFinalMessage() ? markFinalMessage(messages) : null;

    Map<String, Object> variables = new LinkedHashMap<>();
    // Jinja globals are defined names ("strftime_now is defined" picks Llama 3.2's date line);
    // jinjava functions are not variables, so stand-ins make the test true. Calls still reach
    // the functions.
    variables.put("raise_exception", "<function raise_exception>");
    variables.put("strftime_now", "<function strftime_now>");
    variables.putAll(specialTokens.byName());
    for (Map.Entry<String, Object> v : request.variables().entrySet()) {
      if (RESERVED.contains(v.getKey())) {
        throw new BadInputException(
            "Template variable '" + v.getKey() + "' is set by the ChatRequest itself.",
            "Use the request's messages, tools, documents or addGenerationPrompt instead of"
                + " variable(\""
                + v.getKey()
                + "\", ...).");
      }
      variables.put(v.getKey(), TemplateValues.copy(v.getValue()));
    }
    variables.put("messages", messages);
    variables.put("tools", request.tools().map(TemplateValues::copy).orElse(null));
    variables.put("documents", request.documents().map(TemplateValues::copy).orElse(null));
    variables.put("add_generation_prompt", request.addGenerationPrompt());

    String rendered = renderChecked(variables);
    return finalText == null ? rendered : cutAtContinueTag(rendered, finalText);
  }

  private String renderChecked(Map<String, Object> variables) {
    RenderResult result;
    String raised;
    try (TemplateGlobals.RenderScope scope = TemplateGlobals.open(clock, adapted.loopFilters())) {
      result = JinjaEnvironment.get().render(adapted.source(), variables);
      raised = scope.raisedMessage();
    }
    if (raised != null) {
      throw new ChatTemplateException(
          name,
          "Chat template '" + name + "' from " + origin + " rejected the conversation: " + raised,
          "The template raised this itself (raise_exception): change the messages to the shape"
              + " this model's template expects.",
          raised);
    }
    List<String> fatal =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
            .map(ChatTemplate::describe)
            .collect(Collectors.toList());
    if (!fatal.isEmpty()) {
      throw new ChatTemplateException(
          name,
          "Chat template '"
              + name
              + "' from "
              + origin
              + " failed to render: "
              + String.join("; ", fatal),
          "Check the messages against what the template reads, or fix the template in the"
              + " model directory.",
          null);
    }
    return result.getOutput();
  }

  /** Appends transformers' continue tag to the text of the final message; returns that text. */
  @SuppressWarnings("unchecked")
  private String markFinalMessage(List<Object> messages) {
    Map<String, Object> last = (Map<String, Object>) messages.getLast();
    Object content = last.get("content");
    if (content == null) {
      throw new BadInputException(
          "continueFinalMessage is set but the final message has no \"content\" to continue.",
          "End the conversation with the message to continue, or turn continueFinalMessage off.");
    }
    if (!source.contains("content")) {
      throw new BadInputException(
          "continueFinalMessage is set but chat template "
              + name
              + " from "
              + origin
              + " never reads a message's \"content\".",
          "Turn continueFinalMessage off for this model.");
    }
    if (content instanceof List<?> blocks) {
      for (Object block : blocks.reversed()) {
        if (block instanceof Map<?, ?> map && map.containsKey("text")) {
          String text = String.valueOf(map.get("text"));
          ((Map<String, Object>) map).put("text", text + CONTINUE_TAG);
          return text;
        }
      }
      throw new BadInputException(
          "continueFinalMessage is set but the final message has no text block to continue.",
          "Give the final message a {\"type\": \"text\", \"text\": ...} block, or turn"
              + " continueFinalMessage off.");
    }
    String text = content.toString();
    last.put("content", text + CONTINUE_TAG);
    return text;
  }

  private String cutAtContinueTag(String rendered, String finalText) {
    String tag = CONTINUE_TAG.strip();
    if (!rendered.contains(
            PythonStringMethods.rstrip(PythonStringMethods.lstrip(finalText, null), null))
        || !rendered.contains(tag)) {
      throw new ChatTemplateException(
          name,
          "continueFinalMessage is set but the final message does not appear in the chat after"
              + " applying chat template '"
              + name
              + "' from "
              + origin
              + "; the template deletes parts of the final message. Final message: "
              + finalText.strip(),
          "Turn continueFinalMessage off for this model, or use a template that keeps the final"
              + " message.",
          null);
    }
    int at = rendered.lastIndexOf(tag);
    if (rendered.startsWith(CONTINUE_TAG, at)) {
      return rendered.substring(0, at);
    }
    // The template trimmed the space after the tag, so it may have trimmed the message too.
    return PythonStringMethods.rstrip(rendered.substring(0, at), null);
  }

  private static String describe(TemplateError error) {
    String where = error.getLineno() > 0 ? "line " + error.getLineno() + ": " : "";
    return where + error.getMessage();
  }

  @Override
  public String toString() {
    return "ChatTemplate[" + name + " from " + origin + "]";
  }
}
