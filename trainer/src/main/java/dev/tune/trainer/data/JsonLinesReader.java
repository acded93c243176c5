package dev.tune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** JSON Lines: one JSON object per line; blank lines are skipped. */
final class JsonLinesReader implements RowReader {

  static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Utf8Lines lines;
  private long rows;

  JsonLinesReader(Path file) throws IOException {
    this.file = file;
    this.lines = new Utf8Lines(file);
  }

  @Override
  public Row next() {
    String line;
    do {
      try {
        line = lines.next();
      } catch (BadRowException e) {
        rows++;
        throw e;
      }
      if (line == null) {
        return null;
      }
    } while (line.isBlank());
    rows++;
    RowOrigin origin = new RowOrigin(file, rows, lines.number());
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadRowException(
          origin,
          Optional.empty(),
          "not valid JSON (" + e.getOriginalMessage() + ")",
          line,
          "Write one complete JSON object per line.");
    }
    if (!(node instanceof ObjectNode object)) {
      throw new BadRowException(
          origin,
          Optional.empty(),
          "expected a JSON object, found " + JsonValues.kind(node),
          line,
          "Write one JSON object per line, such as {\"text\": \"...\"}.");
    }
    return new Row(object, origin);
  }

  @Override
  public void close() {
    lines.close();
  }
}
