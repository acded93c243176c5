package dev.tune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.train.DataFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides the {@link Schema} from the fields of the first row, within the format the user chose
 * ({@code auto} tries them all): {@code messages} or {@code conversations} is chat, {@code
 * prompt}+{@code completion} a pair, {@code instruction}+{@code response}/{@code output}
 * instruction data, and text is {@code text_field}, {@code text}, or the row's only string field.
 */
final class SchemaDetector {

  private SchemaDetector() {}

  static Schema detect(Row first, DataFormat format, Optional<String> textField) {
    ObjectNode f = first.fields();
    if (textField.isPresent() && (format == DataFormat.AUTO || format == DataFormat.TEXT)) {
      return new Schema.Text(textField.get());
    }
    Optional<Schema> found =
        switch (format) {
          case AUTO ->
              chat(f).or(() -> pair(f)).or(() -> instruction(f)).or(() -> text(f, textField));
          case CHAT -> chat(f);
          case PROMPT_COMPLETION -> pair(f);
          case INSTRUCTION -> instruction(f);
          case TEXT -> text(f, textField);
        };
    return found.orElseThrow(() -> unknown(first, format));
  }

  private static Optional<Schema> chat(ObjectNode f) {
    if (f.has("messages")) {
      return Optional.of(Schema.Chat.MESSAGES);
    }
    if (f.has("conversations")) {
      return Optional.of(Schema.Chat.SHAREGPT);
    }
    return Optional.empty();
  }

  private static Optional<Schema> pair(ObjectNode f) {
    return f.has("prompt") && f.has("completion")
        ? Optional.of(new Schema.PromptCompletion("prompt", "completion"))
        : Optional.empty();
  }

  private static Optional<Schema> instruction(ObjectNode f) {
    if (!f.has("instruction")) {
      return Optional.empty();
    }
    if (f.has("response")) {
      return Optional.of(
          new Schema.Instruction("instruction", Optional.of("context").filter(f::has), "response"));
    }
    if (f.has("output")) {
      return Optional.of(
          new Schema.Instruction("instruction", Optional.of("input").filter(f::has), "output"));
    }
    return Optional.empty();
  }

  private static Optional<Schema> text(ObjectNode f, Optional<String> textField) {
    if (textField.isPresent()) {
      return Optional.of(new Schema.Text(textField.get()));
    }
    if (f.has("text")) {
      return Optional.of(new Schema.Text("text"));
    }
    List<String> strings = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : f.properties()) {
      if (e.getValue().isTextual()) {
        strings.add(e.getKey());
      }
    }
    return strings.size() == 1 ? Optional.of(new Schema.Text(strings.get(0))) : Optional.empty();
  }

  private static BadInputException unknown(Row first, DataFormat format) {
    List<String> names = new ArrayList<>();
    first.fields().fieldNames().forEachRemaining(names::add);
    String expected =
        switch (format) {
          case AUTO ->
              "messages, conversations, prompt+completion, instruction+response,"
                  + " instruction+output or text";
          case CHAT -> "messages or conversations";
          case PROMPT_COMPLETION -> "prompt and completion";
          case INSTRUCTION -> "instruction with response (Dolly) or output (Alpaca)";
          case TEXT -> "text (or set data.text_field)";
        };
    return new BadInputException(
        first.origin()
            + ": cannot tell the data format from the fields "
            + names
            + "; expected "
            + expected
            + ".",
        "Rename the fields, or set data.format (text, instruction, prompt_completion, chat) and,"
            + " for text in another field, data.text_field.");
  }
}
