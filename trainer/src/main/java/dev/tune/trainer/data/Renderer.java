package dev.tune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.trainer.data.RenderedExample.Segment;
import dev.tune.trainer.tokenizer.ChatRequest;
import dev.tune.trainer.tokenizer.ChatTemplateException;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders rows of one {@link Schema} to text: plain text as is, instruction rows with the {@link
 * PromptTemplate}, pairs as prompt + completion, conversations with the model's chat template.
 *
 * <p>For completion-only loss on chats, each assistant turn's text is found by rendering the
 * conversation up to the turn with the generation prompt and up to the end of the turn: what the
 * second adds to the first is trained. Templates that rewrite earlier turns (dropping reasoning,
 * say) cannot be split this way and are reported.
 */
final class Renderer {

  private final Schema schema;
  private final PromptTemplate template;
  private final Optional<ModelTokenizer> tokenizer;
  private final boolean completionOnly;

  Renderer(
      Schema schema,
      PromptTemplate template,
      Optional<ModelTokenizer> tokenizer,
      boolean completionOnly) {
    this.schema = schema;
    this.template = template;
    this.tokenizer = tokenizer;
    this.completionOnly = completionOnly;
  }

  /**
   * @throws BadRowException if a field is missing, empty or of the wrong type
   */
  RenderedExample render(Row row) {
    return switch (schema) {
      case Schema.Text t ->
          new RenderedExample(List.of(new Segment(text(row, t.field()), true)), true, true);
      case Schema.PromptCompletion p -> pair(text(row, p.prompt()), text(row, p.completion()));
      case Schema.Instruction i -> instruction(row, i);
      case Schema.Chat c -> chat(row, c);
    };
  }

  private RenderedExample pair(String prompt, String completion) {
    return new RenderedExample(
        List.of(new Segment(prompt, !completionOnly), new Segment(completion, true)), true, true);
  }

  private RenderedExample instruction(Row row, Schema.Instruction schema) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : row.fields().properties()) {
      if (e.getValue().isValueNode() && !e.getValue().isNull()) {
        values.put(e.getKey(), e.getValue().asText());
      }
    }
    values.put("instruction", text(row, schema.instruction()));
    values.put("input", schema.input().map(f -> optionalText(row, f)).orElse(""));
    values.put(PromptTemplate.RESPONSE, text(row, schema.response()));
    PromptTemplate.Rendered rendered = template.render(values);
    return pair(rendered.prompt(), rendered.completion());
  }

  private RenderedExample chat(Row row, Schema.Chat schema) {
    ModelTokenizer tok =
        tokenizer.orElseThrow(
            () ->
                new IllegalStateException(
                    "chat data needs the model's tokenizer for its chat template"));
    List<Map<String, Object>> messages = messages(row, schema);
    String full = apply(tok, row, schema, request(messages, messages.size(), false));
    if (!completionOnly) {
      return new RenderedExample(List.of(new Segment(full, true)), false, false);
    }
    List<Segment> segments = new ArrayList<>();
    int done = 0;
    for (int i = 0; i < messages.size(); i++) {
      if (!"assistant".equals(messages.get(i).get("role"))) {
        continue;
      }
      String before = i == 0 ? "" : apply(tok, row, schema, request(messages, i, true));
      String through = apply(tok, row, schema, request(messages, i + 1, false));
      if (!through.startsWith(before)
          || !full.startsWith(through)
          || before.length() < done
          || !full.startsWith(before)) {
        throw new BadRowException(
            row.origin(),
            Optional.of(schema.field()),
            "the chat template renders earlier turns differently once later turns follow, so the"
                + " assistant turns cannot be told apart for completion-only loss",
            full,
            "Set data.completion_only_loss: false to train on the whole conversation.");
      }
      segments.add(new Segment(full.substring(done, before.length()), false));
      segments.add(new Segment(full.substring(before.length(), through.length()), true));
      done = through.length();
    }
    if (done < full.length()) {
      segments.add(new Segment(full.substring(done), false));
    }
    return new RenderedExample(segments, false, false);
  }

  /** Renders; a conversation the template rejects (raise_exception) is a bad row. */
  private static String apply(
      ModelTokenizer tok, Row row, Schema.Chat schema, ChatRequest request) {
    try {
      return tok.applyChatTemplate(request);
    } catch (ChatTemplateException e) {
      if (e.raisedMessage().isEmpty()) {
        throw e;
      }
      throw new BadRowException(
          row.origin(),
          Optional.of(schema.field()),
          "the chat template rejects the conversation: " + e.raisedMessage().get(),
          row.fields().toString(),
          "Fix the conversation as the template asks (often: alternate user and assistant"
              + " turns).");
    }
  }

  private static ChatRequest request(
      List<Map<String, Object>> messages, int count, boolean generationPrompt) {
    ChatRequest.Builder b = ChatRequest.builder().addGenerationPrompt(generationPrompt);
    for (int i = 0; i < count; i++) {
      b.message(messages.get(i));
    }
    return b.build();
  }

  private List<Map<String, Object>> messages(Row row, Schema.Chat schema) {
    JsonNode turns = row.fields().get(schema.field());
    if (turns == null || turns.isNull()) {
      throw missing(row, schema.field());
    }
    if (turns.isTextual() && turns.asText().strip().startsWith("[")) {
      // CSV cells and some exports hold the conversation as JSON text.
      try {
        turns = JsonLinesReader.JSON.readTree(turns.asText());
      } catch (JsonProcessingException e) {
        throw wrongType(row, schema.field(), "a list of turns", turns);
      }
    }
    if (!turns.isArray() || turns.isEmpty()) {
      throw wrongType(row, schema.field(), "a non-empty list of turns", turns);
    }
    List<Map<String, Object>> messages = new ArrayList<>();
    boolean assistant = false;
    for (int i = 0; i < turns.size(); i++) {
      JsonNode turn = turns.get(i);
      String at = schema.field() + "[" + i + "]";
      if (!turn.isObject()) {
        throw wrongType(row, at, "an object with " + schema.roleKey(), turn);
      }
      JsonNode role = turn.get(schema.roleKey());
      JsonNode content = turn.get(schema.contentKey());
      if (role == null || !role.isTextual()) {
        throw wrongType(row, at + "." + schema.roleKey(), "a role string", role);
      }
      if (content == null || !content.isTextual()) {
        throw wrongType(row, at + "." + schema.contentKey(), "a string", content);
      }
      String mapped = schema.role(role.asText());
      if (mapped == null) {
        throw new BadRowException(
            row.origin(),
            Optional.of(at + "." + schema.roleKey()),
            "unknown role '" + role.asText() + "'",
            row.fields().toString(),
            "Use the ShareGPT roles human, gpt, system (or user, assistant).");
      }
      assistant |= mapped.equals("assistant");
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("role", mapped);
      message.put("content", content.asText());
      messages.add(message);
    }
    if (completionOnly && !assistant) {
      throw new BadRowException(
          row.origin(),
          Optional.of(schema.field()),
          "the conversation has no assistant turn, so nothing would be trained",
          row.fields().toString(),
          "Add the assistant's answer, or set data.completion_only_loss: false.");
    }
    return messages;
  }

  private static String text(Row row, String field) {
    JsonNode value = row.fields().get(field);
    if (value == null || value.isNull()) {
      throw missing(row, field);
    }
    if (!value.isTextual()) {
      throw wrongType(row, field, "a string", value);
    }
    if (value.asText().isEmpty()) {
      throw new BadRowException(
          row.origin(),
          Optional.of(field),
          "is empty",
          row.fields().toString(),
          "Fill in the field or remove the row.");
    }
    return value.asText();
  }

  private static String optionalText(Row row, String field) {
    JsonNode value = row.fields().get(field);
    if (value == null || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      throw wrongType(row, field, "a string", value);
    }
    return value.asText();
  }

  private static BadRowException missing(Row row, String field) {
    return new BadRowException(
        row.origin(),
        Optional.of(field),
        "the field is missing",
        row.fields().toString(),
        "Give every row the same fields as the first one, or fix the format settings.");
  }

  private static BadRowException wrongType(Row row, String field, String expected, JsonNode got) {
    return new BadRowException(
        row.origin(),
        Optional.of(field),
        "expected " + expected + ", found " + JsonValues.kind(got),
        row.fields().toString(),
        "Write the field as " + expected + ".");
  }
}
