package dev.tune.local.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.storage.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The JSON state files of the local provider ({@code job.json}, {@code model.json}, {@code
 * endpoint.json}): written whole through a temporary file and a rename, so a concurrent reader sees
 * the old file or the new one, never half of one.
 */
public final class JsonFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonFiles() {}

  /** An empty object to fill. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Parses one JSON text, such as a line of {@code events.jsonl}. */
  public static JsonNode parse(String text) throws IOException {
    return JSON.readTree(text);
  }

  /** Writes {@code tree} to {@code file}, replacing it atomically. */
  public static void write(Path file, JsonNode tree) throws IOException {
    LocalFiles.writeString(
        file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree) + "\n");
  }

  /** The object in {@code file}, if the file exists. */
  public static Optional<JsonNode> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode tree = JSON.readTree(file.toFile());
    if (tree == null || !tree.isObject()) {
      throw new BadInputException(
          file + " is not a JSON object; it was changed by something other than tune.",
          "Delete " + file.getParent() + " if the resource it describes is no longer needed.");
    }
    return Optional.of(tree);
  }
}
