package dev.tune.cli;

import dev.tune.core.Tune;
import dev.tune.core.model.ModelDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tune models}: the provider's model registry. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "The provider's registered models: list, describe, delete.",
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.DescribeModel.class,
      ModelsCommand.DeleteModel.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune models list                newest first",
      "  tune models describe bot        the newest model named bot: artifact, metrics, samples",
      "  tune models describe bot:2      version 2 of it",
      "  tune models delete bot:1 --yes  delete it (--yes confirms)"
    })
final class ModelsCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune models list", "  tune models list -o json"},
      description = "List registered models, newest first.")
  static final class ListModels extends ProviderSubcommand {
    @Override
    void run(Tune tune, TuneCommand root) {
      ModelView.TABLE.print(
          root.printer(),
          tune.models().list(),
          "No registered models at " + tune.providerName() + ".",
          "models");
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {
        "  tune models describe bot     the newest model named bot",
        "  tune models describe bot:2"
      },
      description = "Show one model: artifact, final metrics, base vs tuned samples.")
  static final class DescribeModel extends ProviderSubcommand {
    @Parameters(
        paramLabel = "MODEL",
        description = "NAME (the newest of that name), NAME:VERSION or the provider's id.")
    String model;

    @Override
    void run(Tune tune, TuneCommand root) {
      ModelDescription d = tune.models().find(model);
      root.printer().result(ModelView.details(d), () -> ModelView.json(d));
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune models delete bot:1 --yes"},
      description = "Delete a model from the registry (needs --yes).")
  static final class DeleteModel extends ProviderSubcommand {
    @Parameters(paramLabel = "MODEL", description = "NAME, NAME:VERSION or the provider's id.")
    String model;

    @Override
    void run(Tune tune, TuneCommand root) {
      ModelDescription d = tune.models().find(model);
      Confirmation.require(root, "Delete model " + d.displayName());
      tune.models().delete(d.ref());
      root.printer()
          .result(
              "Deleted model " + d.displayName() + ".",
              () -> ResourceTable.deleted(ModelView.json(d)));
    }
  }
}
