package dev.tune.core.image;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the {@link RegistryCredentialProvider} on the classpath that serves a registry. */
public final class RegistryCredentialProviders {
  private final List<RegistryCredentialProvider> providers;

  private RegistryCredentialProviders(List<RegistryCredentialProvider> providers) {
    this.providers = List.copyOf(providers);
  }

  /** The providers registered with {@link ServiceLoader} on this class's class loader. */
  public static RegistryCredentialProviders installed() {
    return new RegistryCredentialProviders(
        ServiceLoader.load(
                RegistryCredentialProvider.class, RegistryCredentialProvider.class.getClassLoader())
            .stream()
            .map(ServiceLoader.Provider::get)
            .toList());
  }

  /** Exactly these providers, in this order; for tests and embedding. */
  public static RegistryCredentialProviders of(List<RegistryCredentialProvider> providers) {
    return new RegistryCredentialProviders(providers);
  }

  /** The first provider that serves {@code registry}, if any. */
  public Optional<RegistryCredentialProvider> forRegistry(String registry) {
    return providers.stream().filter(p -> p.serves(registry)).findFirst();
  }

  /** Every provider, in lookup order. */
  public List<RegistryCredentialProvider> all() {
    return providers;
  }
}
