package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.config.ConfigProblem;
import dev.tune.core.config.InvalidConfigException;
import dev.tune.core.error.InvalidSpecException;
import dev.tune.core.error.TuneException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into exit codes and messages: a {@link TuneException} into its kind's exit code
 * with its message and fix, a usage error into 2, an interrupt into 130, anything else into 1. In
 * JSON mode the error is a JSON document on stdout; in text mode it goes to stderr. Stack traces
 * only with {@code --verbose}.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int USAGE = 2;
  static final int INTERRUPTED = 130;
  static final int INTERNAL = 1;

  private final TuneCommand root;

  ErrorReporter(TuneCommand root) {
    this.root = root;
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    boolean json = TuneCommand.asksForJson(Arrays.asList(args));
    if (json) {
      ObjectNode error =
          error(
              "usage",
              e.getMessage(),
              "Run '" + qualifiedName(command) + " --help' for usage.",
              USAGE);
      new Printer(OutputFormat.JSON, root.out(), root.err()).printJson(wrap(error));
    } else {
      PrintWriter err = root.err();
      err.println("error: " + e.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
      err.println("Run '" + qualifiedName(command) + " --help' for usage.");
      err.flush();
    }
    if (root.verbose()) {
      e.printStackTrace(root.err());
      root.err().flush();
    }
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    Printer printer = root.printer();
    int exitCode;
    ObjectNode error;
    String text;
    if (e instanceof TuneException t) {
      exitCode = t.exitCode();
      error = error(t.kind().id(), t.getMessage(), t.fix(), exitCode);
      if (t instanceof InvalidConfigException invalid) {
        ArrayNode problems = error.putArray("problems");
        invalid.problems().forEach(p -> problems.add(problem(p)));
      }
      if (t instanceof InvalidSpecException invalid) {
        ArrayNode violations = error.putArray("violations");
        invalid
            .violations()
            .forEach(
                v ->
                    violations.add(
                        Printer.object()
                            .put("key", v.key())
                            .put("value", v.value())
                            .put("expected", v.expected())));
      }
      text = "error: " + t.getMessage() + "\nfix: " + t.fix();
    } else if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      exitCode = INTERRUPTED;
      error = error("interrupted", "Interrupted.", "Run the command again.", exitCode);
      text = "error: interrupted";
    } else {
      exitCode = INTERNAL;
      String message = "Internal error: " + e;
      String fix = "This is a bug in tune; run again with --verbose and report the stack trace.";
      error = error("internal", message, fix, exitCode);
      text = "error: " + message + "\nfix: " + fix;
    }
    if (printer.format() == OutputFormat.JSON) {
      printer.printJson(wrap(error));
    } else {
      printer.note(text);
    }
    if (root.verbose()) {
      e.printStackTrace(root.err());
      root.err().flush();
    }
    return exitCode;
  }

  /** The JSON object of {@code t}, as the error documents hold it. */
  static ObjectNode json(TuneException t) {
    return error(t.kind().id(), t.getMessage(), t.fix(), t.exitCode());
  }

  private static ObjectNode error(String kind, String message, String fix, int exitCode) {
    ObjectNode error = Printer.object();
    error.put("kind", kind);
    error.put("message", message);
    error.put("fix", fix);
    error.put("exit_code", exitCode);
    return error;
  }

  private static ObjectNode wrap(ObjectNode error) {
    ObjectNode document = Printer.object();
    document.set("error", error);
    return document;
  }

  private static ObjectNode problem(ConfigProblem p) {
    ObjectNode n = Printer.object();
    n.put("file", p.file());
    n.put("path", p.path());
    n.put("line", p.line());
    n.put("column", p.column());
    p.value().ifPresent(v -> n.put("value", v));
    n.put("message", p.message());
    n.put("allowed", p.allowed());
    p.suggestion().ifPresent(s -> n.put("suggestion", s));
    return n;
  }

  private static String qualifiedName(CommandLine command) {
    return command.getCommandSpec().qualifiedName();
  }
}
