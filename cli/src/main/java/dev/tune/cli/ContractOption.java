package dev.tune.cli;

import dev.tune.core.error.BadInputException;
import dev.tune.core.provider.LocalContract;
import dev.tune.core.provider.ProviderSettings;
import picocli.CommandLine.Option;

/** {@code --contract}: which cloud's container layout the local provider runs on this machine. */
final class ContractOption {
  @Option(
      names = "--contract",
      paramLabel = "CONTRACT",
      description =
          "With --provider local: run the container under the local, sagemaker or vertex"
              + " contract. Default: local.")
  LocalContract contract;

  /** {@code settings} with the contract set, or unchanged when the option was not given. */
  ProviderSettings apply(ProviderSettings settings) {
    if (contract == null) {
      return settings;
    }
    if (!settings.name().equals("local")) {
      throw new BadInputException(
          "--contract runs the container on this machine, so it needs the local provider, not '"
              + settings.name()
              + "'.",
          "Add --provider local, or leave --contract out.");
    }
    return settings.withLocal(settings.local().withContract(contract));
  }
}
