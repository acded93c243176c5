package dev.tune.cli;

import dev.tune.core.Tune;
import dev.tune.core.endpoint.EndpointDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tune endpoints}: the provider's prediction endpoints. */
@Command(
    name = "endpoints",
    mixinStandardHelpOptions = true,
    description = "The provider's prediction endpoints: list, describe, delete.",
    subcommands = {
      EndpointsCommand.ListEndpoints.class,
      EndpointsCommand.DescribeEndpoint.class,
      EndpointsCommand.DeleteEndpoint.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune endpoints list",
      "  tune endpoints describe bot     state, model, URL",
      "  tune endpoints delete bot --yes stop it, release its machines"
    })
final class EndpointsCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune endpoints list", "  tune endpoints list -o json"},
      description = "List endpoints.")
  static final class ListEndpoints extends ProviderSubcommand {
    @Override
    void run(Tune tune, TuneCommand root) {
      EndpointView.TABLE.print(
          root.printer(),
          tune.endpoints().list(),
          "No endpoints at " + tune.providerName() + ".",
          "endpoints");
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune endpoints describe bot"},
      description = "Show one endpoint.")
  static final class DescribeEndpoint extends ProviderSubcommand {
    @Parameters(paramLabel = "ENDPOINT", description = "The endpoint's name or id.")
    String endpoint;

    @Override
    void run(Tune tune, TuneCommand root) {
      EndpointDescription d = tune.endpoints().find(endpoint);
      root.printer().result(EndpointView.details(d), () -> EndpointView.json(d));
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune endpoints delete bot --yes"},
      description = "Delete an endpoint and release its machines (needs --yes).")
  static final class DeleteEndpoint extends ProviderSubcommand {
    @Parameters(paramLabel = "ENDPOINT", description = "The endpoint's name or id.")
    String endpoint;

    @Override
    void run(Tune tune, TuneCommand root) {
      EndpointDescription d = tune.endpoints().find(endpoint);
      Confirmation.require(root, "Delete endpoint " + d.ref().id());
      tune.endpoints().delete(d.ref());
      root.printer()
          .result(
              "Deleted endpoint " + d.ref().id() + ".",
              () -> ResourceTable.deleted(EndpointView.json(d)));
    }
  }
}
