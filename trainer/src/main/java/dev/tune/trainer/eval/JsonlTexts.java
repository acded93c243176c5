package dev.tune.trainer.eval;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code text} of each record of a JSON Lines file: one JSON object per line, {@code {"text":
 * "..."}}, other fields ignored, blank lines skipped. A bad line is reported as {@code file:line}
 * with what is wrong and what a good line looks like.
 */
public final class JsonlTexts {

  static final String FIELD = "text";

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final String FIX =
      "Write one JSON object per line with a string \"text\" field, e.g. {\"text\": \"Hello.\"};"
          + " escape newlines inside the text as \\n.";

  private JsonlTexts() {}

  /**
   * Reads the texts of {@code file}, in file order.
   *
   * @throws NotFoundException if the file does not exist
   * @throws BadInputException on a line that is not a JSON object with a string {@code text}, or a
   *     file without records
   */
  public static List<String> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new NotFoundException(
          "The data file "
              + file
              + " does not exist"
              + (Files.isDirectory(file) ? " (it is a directory)." : "."),
          "Check the path; it must be a JSON Lines file with one {\"text\": ...} object per line.");
    }
    List<String> texts = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (!line.isBlank()) {
          texts.add(text(line, file, number));
        }
      }
    } catch (CharacterCodingException e) {
      throw new BadInputException(
          file + " is not UTF-8 text.", "Save the file as UTF-8 JSON Lines.", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (texts.isEmpty()) {
      throw new BadInputException(file + " holds no records.", FIX);
    }
    return texts;
  }

  private static String text(String line, Path file, int number) {
    JsonNode record;
    try {
      record = JSON.readTree(line);
    } catch (JacksonException e) {
      throw bad(file, number, "not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (record == null || !record.isObject()) {
      throw bad(file, number, "a JSON " + kind(record) + ", not an object", null);
    }
    JsonNode text = record.get(FIELD);
    if (text == null) {
      List<String> fields = new ArrayList<>();
      record.fieldNames().forEachRemaining(fields::add);
      throw bad(file, number, "no \"text\" field (it has " + fields + ")", null);
    }
    if (!text.isTextual()) {
      throw bad(file, number, "\"text\" is a JSON " + kind(text) + ", not a string", null);
    }
    return text.textValue();
  }

  private static String kind(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "array";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case NUMBER -> "number";
      case OBJECT -> "object";
      case STRING -> "string";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static BadInputException bad(Path file, int line, String problem, Throwable cause) {
    return new BadInputException(file + ":" + line + ": " + problem + ".", FIX, cause);
  }
}
