package dev.tune.core.provider;

/**
 * The service provider interface of a place that trains and serves models: SageMaker, Vertex AI,
 * this machine. A provider module registers its implementation in {@code
 * META-INF/services/dev.tune.core.provider.Provider}; putting its jar on the classpath is all it
 * takes to make it available to {@link dev.tune.core.Tune}.
 *
 * <p>Implementations need a public no-argument constructor and must be cheap to construct: they are
 * instantiated to read their {@link #name()} even when not used.
 */
public interface Provider {
  /** The name users select it by ({@code --provider NAME}), lower-case, unique. */
  String name();

  /** One line for listings, e.g. {@code Amazon SageMaker}. */
  String description();

  /**
   * Opens a client with {@code settings}. Reads this provider's block of the settings and the
   * environment (credentials); checks what it needs before any remote call is made.
   *
   * @throws dev.tune.core.error.BadInputException if required settings are missing or invalid
   * @throws dev.tune.core.error.AuthException if no usable credentials are found
   */
  ProviderClient connect(ProviderSettings settings);
}
