package dev.tune.cli;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.ConflictException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune init}: writes a commented {@code tune.yaml} for one provider. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Write a commented tune.yaml for a provider (--provider, default local).",
      "Every key is explained; edit the values marked 'change me', then run tune config validate."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune init                                  tune.yaml for this machine",
      "  tune init --provider sagemaker             tune.yaml for Amazon SageMaker",
      "  tune init --provider vertex -c vertex.yaml write vertex.yaml instead",
      "  tune init --provider vertex --force        replace an existing tune.yaml"
    })
final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--force", description = "Replace the file if it exists.")
  boolean force;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    String provider = root.providerOverride().orElse(InitTemplate.DEFAULT_PROVIDER);
    String template =
        InitTemplate.forProvider(provider)
            .orElseThrow(
                () ->
                    new BadInputException(
                        "tune init has no template for provider '" + provider + "'.",
                        "Use --provider with one of: "
                            + String.join(", ", InitTemplate.PROVIDERS)
                            + "."));
    Path file = root.configPath();
    boolean existed = Files.exists(file);
    if (existed && !force) {
      throw new ConflictException(
          file + " already exists; tune init does not overwrite it.",
          "Pass --force to replace it, or -c OTHER.yaml to write another file.");
    }
    write(file, template);
    root.printer()
        .result(
            "Wrote "
                + file
                + " for provider "
                + provider
                + ".\n"
                + "Next: edit the values marked 'change me', then run: tune config validate"
                + (file.equals(Path.of(TuneCommand.DEFAULT_CONFIG)) ? "" : " -c " + file),
            () ->
                Printer.object()
                    .put("file", file.toString())
                    .put("provider", provider)
                    .put("overwritten", existed));
    return 0;
  }

  private static void write(Path file, String content) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(
          file,
          content,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new BadInputException(
          file + " cannot be written: " + e.getMessage(),
          "Check that its folder is writable, or choose another file with -c.",
          e);
    }
  }
}
