package dev.tune.cli;

import dev.tune.core.Tune;
import dev.tune.core.endpoint.EndpointDescription;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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

  private static Tune connect(CommandSpec spec) {
    return ProviderSession.connectOptionalConfig(TuneCommand.of(spec));
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune endpoints list", "  tune endpoints list -o json"},
      description = "List endpoints.")
  static final class ListEndpoints implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (Tune tune = connect(spec)) {
        EndpointView.TABLE.print(
            TuneCommand.of(spec).printer(),
            tune.endpoints().list(),
            "No endpoints at " + tune.providerName() + ".",
            "endpoints");
      }
      return 0;
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune endpoints describe bot"},
      description = "Show one endpoint.")
  static final class DescribeEndpoint implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENDPOINT", description = "The endpoint's name or id.")
    String endpoint;

    @Override
    public Integer call() {
      try (Tune tune = connect(spec)) {
        EndpointDescription d = tune.endpoints().find(endpoint);
        TuneCommand.of(spec).printer().result(EndpointView.details(d), () -> EndpointView.json(d));
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune endpoints delete bot --yes"},
      description = "Delete an endpoint and release its machines (needs --yes).")
  static final class DeleteEndpoint implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENDPOINT", description = "The endpoint's name or id.")
    String endpoint;

    @Override
    public Integer call() {
      TuneCommand root = TuneCommand.of(spec);
      try (Tune tune = connect(spec)) {
        EndpointDescription d = tune.endpoints().find(endpoint);
        Confirmation.require(root, "Delete endpoint " + d.ref().id());
        tune.endpoints().delete(d.ref());
        root.printer()
            .result(
                "Deleted endpoint " + d.ref().id() + ".",
                () -> ResourceTable.deleted(EndpointView.json(d)));
      }
      return 0;
    }
  }
}
