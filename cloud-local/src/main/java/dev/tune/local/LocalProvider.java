package dev.tune.local;

import dev.tune.core.provider.Provider;
import dev.tune.core.provider.ProviderClient;
import dev.tune.core.provider.ProviderSettings;

/**
 * The {@code local} provider: trains and serves on this machine, keeps models in a local registry.
 */
public final class LocalProvider implements Provider {
  /** The name users select it by. */
  public static final String NAME = "local";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "This machine: training and endpoints as local processes, a local model registry";
  }

  @Override
  public ProviderClient connect(ProviderSettings settings) {
    return LocalClient.open(settings.local());
  }
}
