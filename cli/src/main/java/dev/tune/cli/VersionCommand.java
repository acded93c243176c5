package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tune version}: the same as {@code tune --version}, also as JSON. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the version of tune and of the Java runtime.",
    footerHeading = "%nExamples:%n",
    footer = {"  tune version", "  tune version -o json"})
final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static ObjectNode json() {
    return Printer.object()
        .put("version", VersionProvider.version())
        .put("java", VersionProvider.javaVersion())
        .put("os", VersionProvider.os());
  }

  @Override
  public Integer call() {
    TuneCommand.of(spec)
        .printer()
        .result(String.join("\n", new VersionProvider().getVersion()), VersionCommand::json);
    return 0;
  }
}
