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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
   * Runs on a thread and interrupts it once {@code ready} opens (e.g. once the command follows a
   * job), as Ctrl-C would stop a command that waits.
   */
  static CliRun runAndInterrupt(CountDownLatch ready, String... args) throws InterruptedException {
    AtomicReference<CliRun> result = new AtomicReference<>();
    Thread cli = new Thread(() -> result.set(run(args)));
    cli.start();
    if (!ready.await(10, TimeUnit.SECONDS)) {
      cli.interrupt();
      throw new AssertionError("the command never got ready to be interrupted");
    }
    cli.interrupt();
    cli.join(10_000);
    if (cli.isAlive()) {
      throw new AssertionError("the command did not return after the interrupt");
    }
    return result.get();
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
