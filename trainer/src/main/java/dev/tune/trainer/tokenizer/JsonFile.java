package dev.tune.trainer.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads the JSON files of a model directory, with errors that name the file and the fix. */
final class JsonFile {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static final String RESTORE =
      "Restore the file from the model's repository, or re-save the tokenizer with"
          + " transformers' save_pretrained.";

  private JsonFile() {}

  static Optional<JsonNode> readIfPresent(Path file) {
    return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
  }

  static JsonNode read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(file, text);
  }

  static JsonNode parse(Path file, String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || !node.isObject()) {
        throw new BadInputException(file + " does not hold a JSON object.", RESTORE);
      }
      return node;
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new BadInputException(
          "Malformed JSON in " + file + where + ": " + e.getOriginalMessage(), RESTORE, e);
    }
  }
}
