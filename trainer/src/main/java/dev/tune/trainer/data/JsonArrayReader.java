package dev.tune.trainer.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A JSON file holding one array of objects, read element by element with a streaming parser so the
 * array is never held whole.
 */
final class JsonArrayReader implements RowReader {

  private final Path file;
  private final JsonParser parser;
  private long rows;
  private boolean done;

  JsonArrayReader(Path file) throws IOException {
    this.file = file;
    this.parser = JsonLinesReader.JSON.createParser(Files.newInputStream(file));
    JsonToken first = token();
    if (first != JsonToken.START_ARRAY) {
      parser.close();
      throw new BadInputException(
          file + " does not start with a JSON array.",
          "Write the rows as a JSON array of objects, or as JSON Lines (one object per line).");
    }
  }

  /** Whether the first character that is not white space (or a byte-order mark) is '['. */
  static boolean startsWithArray(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      int b = in.read();
      if (b == 0xEF) {
        in.skipNBytes(2);
        b = in.read();
      }
      while (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        b = in.read();
      }
      return b == '[';
    }
  }

  @Override
  public Row next() {
    if (done) {
      return null;
    }
    JsonToken token = token();
    if (token == JsonToken.END_ARRAY || token == null) {
      done = true;
      return null;
    }
    rows++;
    JsonLocation at = parser.currentTokenLocation();
    RowOrigin origin = new RowOrigin(file, rows, at.getLineNr());
    JsonNode node;
    try {
      node = parser.readValueAsTree();
    } catch (JsonProcessingException e) {
      throw broken(e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new BadRowException(
          origin,
          Optional.empty(),
          "expected a JSON object, found " + JsonValues.kind(node),
          String.valueOf(node),
          "Make every element of the array an object, such as {\"text\": \"...\"}.");
    }
    return new Row(object, origin);
  }

  private JsonToken token() {
    try {
      return parser.nextToken();
    } catch (JsonProcessingException e) {
      throw broken(e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** A syntax error ends the array: nothing after it can be trusted, so it is never skipped. */
  private BadInputException broken(JsonProcessingException e) {
    done = true;
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new BadInputException(
        file + " is not valid JSON" + where + ": " + e.getOriginalMessage(),
        "Fix the file (it must be UTF-8 JSON), or convert it to JSON Lines, where one bad line"
            + " can be skipped with data.skip_bad_rows: true.");
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
