package dev.tune.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Runs the {@code tune} command line in-process with captured stdout and stderr. */
record CliRun(int exitCode, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static CliRun run(String... args) {
    return run(Map.of(), cli -> {}, args);
  }

  static CliRun run(Map<String, String> env, String... args) {
    return run(env, cli -> {}, args);
  }

  /** Runs after {@code customize} had a chance to add test commands. */
  static CliRun run(Map<String, String> env, Consumer<CommandLine> customize, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TuneCommand.commandLine(new PrintWriter(out), new PrintWriter(err), env);
    customize.accept(cli);
    int exitCode = cli.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /**
   * Stdout read as exactly one JSON document; fails if there is anything else on it, before or
   * after.
   */
  JsonNode json() {
    try (JsonParser parser = JSON.createParser(out)) {
      JsonNode document = JSON.readTree(parser);
      if (document == null) {
        throw new AssertionError("stdout holds no JSON document:\n" + out);
      }
      JsonToken after = parser.nextToken();
      if (after != null) {
        throw new AssertionError("stdout holds more than one JSON document:\n" + out);
      }
      return document;
    } catch (IOException e) {
      throw new UncheckedIOException("stdout is not JSON:\n" + out, e);
    }
  }
}
