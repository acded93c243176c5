package dev.tune.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Writes a command's result to stdout in the chosen format, and everything else (progress, logs,
 * warnings) to stderr, so that {@code --output json} leaves exactly one JSON document on stdout.
 */
final class Printer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutputFormat format;
  private final PrintWriter out;
  private final PrintWriter err;

  Printer(OutputFormat format, PrintWriter out, PrintWriter err) {
    this.format = format;
    this.out = out;
    this.err = err;
  }

  /** A fresh JSON object to fill in as a result. */
  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  OutputFormat format() {
    return format;
  }

  /** Prints the result: {@code text} in text mode, the JSON document in JSON mode. */
  void result(String text, Supplier<? extends JsonNode> json) {
    if (format == OutputFormat.JSON) {
      printJson(json.get());
    } else {
      out.println(text);
    }
    out.flush();
  }

  /** Prints a JSON document on stdout regardless of the format (error documents use it). */
  void printJson(JsonNode json) {
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
    out.flush();
  }

  /** A line for the user that is not the result: progress, hints, warnings. */
  void note(String line) {
    err.println(line);
    err.flush();
  }
}
