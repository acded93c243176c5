package dev.tune.cli;

import dev.tune.core.Tune;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.config.TuneConfigLoader;
import dev.tune.core.provider.ProviderRegistry;
import dev.tune.core.provider.ProviderSettings;
import java.nio.file.Files;
import java.util.Optional;

/**
 * Opens the SDK for a command: reads {@code tune.yaml} where the command needs it (or finds one),
 * and connects to the provider that {@code --provider} or the file chooses.
 */
final class ProviderSession {
  private ProviderSession() {}

  /** The config, which the command cannot do without. */
  static TuneConfig requireConfig(TuneCommand root) {
    TuneConfigLoader loader = TuneConfigLoader.create().withEnvironment(root.environment());
    if (root.providerOverride().isPresent()) {
      loader = loader.withProvider(root.providerOverride().get());
    }
    return loader.load(root.configPath());
  }

  /**
   * The config where there is one: a {@code --config} that is named must exist; the default {@code
   * tune.yaml} is read only if it is there.
   */
  static Optional<TuneConfig> optionalConfig(TuneCommand root) {
    if (root.configNamed() || Files.isRegularFile(root.configPath())) {
      return Optional.of(requireConfig(root));
    }
    return Optional.empty();
  }

  /**
   * Connects for a command that works without a config: with its provider settings where there is
   * one, else the chosen provider's defaults.
   */
  static Tune connectOptionalConfig(TuneCommand root) {
    return connect(root, optionalConfig(root));
  }

  /** Connects with the config's provider settings, or the defaults when there is no config. */
  static Tune connect(TuneCommand root, Optional<TuneConfig> config) {
    return connect(settings(root, config));
  }

  /** The config's provider settings, or the defaults of the chosen provider without a config. */
  static ProviderSettings settings(TuneCommand root, Optional<TuneConfig> config) {
    return config
        .map(TuneConfig::provider)
        .orElseGet(
            () ->
                ProviderSettings.defaults(
                    root.providerOverride().orElse(ProviderSettings.DEFAULT_PROVIDER)));
  }

  /** Connects with {@code settings}, to the provider on the classpath that they name. */
  static Tune connect(ProviderSettings settings) {
    return Tune.connect(ProviderRegistry.discover(), settings);
  }
}
