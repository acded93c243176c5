package dev.tune.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tune completion}: the shell completion script. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print the tab-completion script for bash and zsh on stdout.",
      "Load it in the current shell with: source <(tune completion)"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(tune completion)                           this shell",
      "  tune completion > ~/.local/share/bash-completion/completions/tune   every bash",
      "  echo 'source <(tune completion)' >> ~/.zshrc        every zsh (with bashcompinit)"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("tune", spec.root().commandLine());
    TuneCommand.of(spec)
        .printer()
        .result(
            script.stripTrailing(),
            () -> Printer.object().put("shell", "bash").put("script", script));
    return 0;
  }
}
