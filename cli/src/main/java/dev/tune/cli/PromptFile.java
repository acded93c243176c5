package dev.tune.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.TuneException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the prompts of {@code tune predict --file}: JSON Lines of strings or of objects with a
 * {@code prompt} and optional {@code max_tokens}, {@code temperature}, {@code top_p}, {@code
 * top_k}.
 */
final class PromptFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PromptFile() {}

  static List<Prompt> read(Path file, PromptSettings defaults) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + " does not exist.", "Point --file at a .jsonl file.", e);
    } catch (IOException e) {
      throw new BadInputException(
          file + " cannot be read: " + e.getMessage(), "Point --file at a readable file.", e);
    }
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.isEmpty()) {
        prompts.add(parse(line, defaults, file + ":" + (i + 1)));
      }
    }
    if (prompts.isEmpty()) {
      throw new BadInputException(file + " holds no prompts.", "Write one prompt per line.");
    }
    return prompts;
  }

  private static Prompt parse(String line, PromptSettings defaults, String where) {
    JsonNode json;
    try {
      json = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadInputException(
          where + " is not JSON: " + e.getOriginalMessage(),
          "Write each prompt as a JSON string or {\"prompt\": \"...\"}.");
    }
    try {
      if (json.isTextual()) {
        return defaults.apply(json.textValue());
      }
      if (json.isObject() && json.path("prompt").isTextual()) {
        Prompt.Builder b = defaults.builder(json.get("prompt").textValue());
        if (json.has("max_tokens")) {
          b.maxTokens(json.get("max_tokens").asInt());
        }
        if (json.has("temperature")) {
          b.temperature(json.get("temperature").asDouble());
        }
        if (json.has("top_p")) {
          b.topP(json.get("top_p").asDouble());
        }
        if (json.has("top_k")) {
          b.topK(json.get("top_k").asInt());
        }
        return b.build();
      }
    } catch (TuneException e) {
      throw new BadInputException(where + ": " + e.getMessage(), e.fix(), e);
    }
    throw new BadInputException(
        where + " has no \"prompt\" string.",
        "Write each prompt as a JSON string or {\"prompt\": \"...\"}.");
  }
}
