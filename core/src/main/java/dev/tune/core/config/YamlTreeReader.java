package dev.tune.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.tune.core.config.YamlNode.Entry;
import dev.tune.core.config.YamlNode.Mapping;
import dev.tune.core.config.YamlNode.Scalar;
import dev.tune.core.config.YamlNode.ScalarKind;
import dev.tune.core.config.YamlNode.Sequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads YAML into a {@link YamlNode} tree that keeps each key's and value's position, walking
 * Jackson's YAML token stream. Problems that make the file unreadable (not text, empty, bad syntax)
 * are recorded and end the reading; duplicate keys and aliases are recorded and reading goes on.
 */
final class YamlTreeReader {
  /** A tune.yaml is a few kilobytes; anything this big is the wrong file. */
  static final int MAX_BYTES = 1 << 20;

  private static final YAMLFactory YAML = new YAMLFactory();

  private final Problems problems;

  private YamlTreeReader(Problems problems) {
    this.problems = problems;
  }

  /** The root mapping, or empty when the file cannot be read as one (problems say why). */
  static Optional<Mapping> read(byte[] bytes, Problems problems) {
    return new YamlTreeReader(problems).readRoot(bytes);
  }

  private Optional<Mapping> readRoot(byte[] bytes) {
    Optional<String> text = decode(bytes);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try (YAMLParser parser = YAML.createParser(text.get())) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        problems.add(
            "",
            Location.START,
            Optional.empty(),
            "the file is empty",
            "a YAML mapping with at least model, data and output sections");
        return Optional.empty();
      }
      YamlNode root = readValue(parser, "");
      if (parser.nextToken() != null) {
        problems.add(
            "",
            location(parser.currentTokenLocation()),
            Optional.empty(),
            "the file holds more than one YAML document",
            "a single document (remove the '---' separators)");
      }
      if (root instanceof Mapping mapping) {
        return Optional.of(mapping);
      }
      problems.add(
          "",
          root.location(),
          Optional.empty(),
          "the file holds " + root.kindName() + ", not a mapping of sections",
          "a YAML mapping with sections such as model, data and output");
      return Optional.empty();
    } catch (JsonProcessingException e) {
      syntaxProblem(e);
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Optional<String> decode(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      problems.add(
          "",
          Location.START,
          Optional.empty(),
          "the file is " + bytes.length + " bytes, too big for a tune.yaml",
          "at most " + MAX_BYTES + " bytes");
      return Optional.empty();
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return notText("it contains a NUL byte at offset " + i);
      }
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (CharacterCodingException e) {
      return notText("it is not valid UTF-8");
    }
  }

  private Optional<String> notText(String why) {
    problems.add(
        "",
        Location.START,
        Optional.empty(),
        "the file is not a text file: " + why,
        "a UTF-8 YAML text file");
    return Optional.empty();
  }

  // The parser is positioned on the first token of the value.
  private YamlNode readValue(YAMLParser parser, String path) throws IOException {
    JsonToken token = parser.currentToken();
    Location at = location(parser.currentTokenLocation());
    if (parser.isCurrentAlias()) {
      // Jackson hands an alias over as its anchor's name, not the anchored value; reading it as
      // absent avoids a second, misleading problem about that name.
      problems.add(
          path,
          at,
          Optional.of("*" + parser.getText()),
          "YAML aliases are not supported",
          "the value written out in full");
      return new Scalar(at, "", ScalarKind.NULL, false);
    }
    return switch (token) {
      case START_OBJECT -> readMapping(parser, path, at);
      case START_ARRAY -> readSequence(parser, path, at);
      case VALUE_NULL -> new Scalar(at, "", ScalarKind.NULL, false);
      case VALUE_TRUE, VALUE_FALSE -> new Scalar(at, parser.getText(), ScalarKind.BOOLEAN, false);
      case VALUE_NUMBER_INT -> new Scalar(at, parser.getText(), ScalarKind.INTEGER, false);
      case VALUE_NUMBER_FLOAT -> new Scalar(at, parser.getText(), ScalarKind.FLOAT, false);
      default -> new Scalar(at, parser.getText(), ScalarKind.STRING, false);
    };
  }

  private Mapping readMapping(YAMLParser parser, String path, Location at) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      Location keyAt = location(parser.currentTokenLocation());
      String childPath = path.isEmpty() ? key : path + "." + key;
      parser.nextToken();
      YamlNode value = readValue(parser, childPath);
      if (seen.add(key)) {
        entries.add(new Entry(key, keyAt, value));
      } else {
        problems.add(
            childPath,
            keyAt,
            Optional.empty(),
            "is a duplicate key; the first one is kept",
            "each key once per section");
      }
    }
    return new Mapping(at, List.copyOf(entries));
  }

  private Sequence readSequence(YAMLParser parser, String path, Location at) throws IOException {
    List<YamlNode> items = new ArrayList<>();
    int index = 0;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(readValue(parser, path + "[" + index++ + "]"));
    }
    return new Sequence(at, List.copyOf(items));
  }

  private static Location location(JsonLocation location) {
    return new Location(Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
  }

  // SnakeYAML's problem mark points at the offending character; Jackson's own location is where
  // the parser stopped, which can be lines later. The wrapper that carries the mark is deprecated
  // in Jackson 2 but is the only place the mark is exposed without depending on SnakeYAML.
  @SuppressWarnings("deprecation")
  private void syntaxProblem(JsonProcessingException e) {
    Location at = location(e.getLocation() == null ? JsonLocation.NA : e.getLocation());
    String message = e.getOriginalMessage();
    if (e
        instanceof
        com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException marked) {
      if (marked.getProblemMark() != null) {
        at =
            new Location(
                marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1);
      }
      if (marked.getProblem() != null) {
        message = marked.getProblem();
        if (marked.getContext() != null) {
          message = marked.getContext() + ": " + message;
        }
      }
    }
    problems.add(
        "",
        at,
        Optional.empty(),
        "is not valid YAML: " + firstLine(message),
        "YAML syntax (indent with spaces, 'key: value', lists with '- ')");
  }

  private static String firstLine(String message) {
    String line = message == null ? "syntax error" : message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline);
  }
}
