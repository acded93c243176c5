package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.Deployment;
import dev.tune.core.Tune;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.error.BadInputException;
import dev.tune.core.model.ModelDescription;
import dev.tune.core.provider.ProviderSettings;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune deploy}: creates an endpoint for a registered model and waits until it serves. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Create a prediction endpoint for a registered model and wait until it serves.",
      "The model is --model, else deploy.model of tune.yaml, else the newest model named",
      "output.name. Machine and replicas come from tune.yaml's provider and deploy sections."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune deploy                         the model tune.yaml trains, newest version",
      "  tune deploy --model bot:2           version 2 of model bot",
      "  tune deploy --model bot --endpoint-name bot-staging --detach",
      "  tune deploy --provider local --contract vertex   serve on Vertex AI's routes here"
    })
final class DeployCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "NAME[:VERSION]",
      description = "The registered model: NAME (the newest), NAME:VERSION or its id.")
  String model;

  @Option(
      names = "--endpoint-name",
      paramLabel = "NAME",
      description = "The endpoint's name. Default: deploy.endpoint_name, else the model's name.")
  String endpointName;

  @Option(names = "--detach", description = "Return once the provider accepted the endpoint.")
  boolean detach;

  @Mixin ContractOption contract;

  @Override
  public Integer call() throws InterruptedException {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    Optional<TuneConfig> config = ProviderSession.optionalConfig(root);
    try (Tune tune =
        ProviderSession.connect(contract.apply(ProviderSession.settings(root, config)))) {
      ModelDescription m = tune.models().find(modelQuery(config));
      DeploySpec deploySpec = deploySpec(root, config, m);
      Deployment deployment = tune.deploy(deploySpec);
      String id = deployment.ref().id();
      String provider = " --provider " + tune.providerName();
      printer.note("Creating endpoint " + id + " for model " + m.displayName() + ".");
      EndpointDescription endpoint;
      if (detach) {
        endpoint = deployment.describe();
      } else {
        Runnable hint =
            () ->
                printer.note(
                    "Stopped waiting; endpoint "
                        + id
                        + " is still being created.\n"
                        + "  check:  tune endpoints describe"
                        + provider
                        + " "
                        + id
                        + "\n"
                        + "  delete: tune endpoints delete"
                        + provider
                        + " "
                        + id
                        + " --yes");
        try (InterruptGuard guard = new InterruptGuard(hint)) {
          try {
            endpoint = deployment.await(new ProgressPrinter(printer, root.verbose()));
          } catch (InterruptedException e) {
            guard.interrupted();
            throw e;
          }
        }
      }
      EndpointDescription shown = endpoint;
      printer.result(
          EndpointView.details(shown)
              + "\n\nQuery it:  tune predict"
              + provider
              + " --endpoint "
              + id
              + " \"your prompt\""
              + "\nDelete it: tune endpoints delete"
              + provider
              + " "
              + id
              + " --yes",
          () -> {
            ObjectNode json = Printer.object();
            json.set("endpoint", EndpointView.json(shown));
            json.set("model", ModelView.json(m));
            return json;
          });
      return 0;
    }
  }

  private String modelQuery(Optional<TuneConfig> config) {
    if (model != null) {
      return model;
    }
    return config
        .map(c -> c.deploy().model().orElse(c.trainSpec().output().name()))
        .orElseThrow(
            () ->
                new BadInputException(
                    "Which model to deploy? Neither --model nor a tune.yaml names one.",
                    "Add --model NAME[:VERSION] (see `tune models list`), or run it where"
                        + " tune.yaml is."));
  }

  private DeploySpec deploySpec(TuneCommand root, Optional<TuneConfig> config, ModelDescription m) {
    DeploySpec base =
        config
            .map(c -> c.deploySpec(m.ref()))
            .orElseGet(
                () ->
                    DeploySpec.builder()
                        .model(m.ref())
                        .endpointName(m.name())
                        .machine(
                            ProviderSettings.defaults(
                                    root.providerOverride()
                                        .orElse(ProviderSettings.DEFAULT_PROVIDER))
                                .deployMachine())
                        .build());
    if (endpointName == null) {
      return base;
    }
    return new DeploySpec(
        base.model(), endpointName, base.machine(), base.minReplicas(), base.maxReplicas());
  }
}
