package dev.tune.cli;

import dev.tune.core.config.TuneConfig;
import dev.tune.core.config.TuneConfigLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tune config validate}: checks {@code tune.yaml} and reports every problem at once. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check tune.yaml: syntax, key names, types, ranges, URIs, and what the chosen provider",
      "needs. Every problem is reported at once with its line and column. ${NAME} references",
      "are resolved from the environment; their values are never printed."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune config validate                        check ./tune.yaml",
      "  tune config validate -c prod.yaml           check another file",
      "  tune config validate --provider sagemaker   check it as if SageMaker were chosen",
      "  tune config validate -o json                the effective config (defaults included)",
      "                                              or the problems, as JSON on stdout"
    })
final class ConfigValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    TuneConfigLoader loader = TuneConfigLoader.create().withEnvironment(root.environment());
    if (root.providerOverride().isPresent()) {
      loader = loader.withProvider(root.providerOverride().get());
    }
    TuneConfig config = loader.load(root.configPath());
    root.printer()
        .result(
            config.source() + " is valid (provider: " + config.provider().name() + ").",
            () -> {
              var json = Printer.object();
              json.put("valid", true);
              json.put("file", config.source());
              json.put("provider", config.provider().name());
              json.set("config", config.toJsonTree());
              return json;
            });
    return 0;
  }
}
