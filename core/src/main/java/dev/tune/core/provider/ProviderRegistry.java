package dev.tune.core.provider;

import dev.tune.core.error.BadInputException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The providers found on the classpath with {@link ServiceLoader}. */
public final class ProviderRegistry {
  private final Map<String, Provider> byName;

  private ProviderRegistry(Map<String, Provider> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** Finds the providers visible to the thread's context class loader. */
  public static ProviderRegistry discover() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return discover(loader != null ? loader : ProviderRegistry.class.getClassLoader());
  }

  /**
   * Finds the providers visible to {@code loader}.
   *
   * @throws BadInputException if two providers have the same name
   */
  public static ProviderRegistry discover(ClassLoader loader) {
    return of(
        ServiceLoader.load(Provider.class, loader).stream()
            .map(ServiceLoader.Provider::get)
            .toList());
  }

  /**
   * A registry of the given providers.
   *
   * @throws BadInputException if two providers have the same name
   */
  public static ProviderRegistry of(List<? extends Provider> providers) {
    Map<String, Provider> byName = new TreeMap<>();
    for (Provider p : providers) {
      Provider previous = byName.putIfAbsent(p.name(), p);
      if (previous != null) {
        throw new BadInputException(
            "Two providers on the classpath are named '"
                + p.name()
                + "': "
                + previous.getClass().getName()
                + " and "
                + p.getClass().getName()
                + ".",
            "Keep one jar per provider on the classpath.");
      }
    }
    return new ProviderRegistry(byName);
  }

  /** The names of the providers found, sorted. */
  public SortedSet<String> names() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(byName.keySet()));
  }

  /** The provider called {@code name}, if one was found. */
  public Optional<Provider> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * The provider called {@code name}.
   *
   * @throws BadInputException naming the providers that were found, if none is called so
   */
  public Provider get(String name) {
    Provider provider = byName.get(name);
    if (provider != null) {
      return provider;
    }
    String found =
        byName.isEmpty()
            ? "No providers are on the classpath."
            : "Providers on the classpath: " + String.join(", ", byName.keySet()) + ".";
    throw new BadInputException(
        "Unknown provider '" + name + "'. " + found,
        byName.isEmpty()
            ? "Put a provider module (tune-cloud-local, tune-cloud-aws or tune-cloud-gcp) on the"
                + " classpath."
            : "Use one of: "
                + String.join(", ", byName.keySet())
                + " (or put the module of '"
                + name
                + "' on the classpath).");
  }
}
