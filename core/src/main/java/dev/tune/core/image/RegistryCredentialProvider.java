package dev.tune.core.image;

import dev.tune.core.error.BadInputException;

/**
 * The service provider interface of a cloud that hands out tokens for its container registry. A
 * module registers its implementation in {@code
 * META-INF/services/dev.tune.core.image.RegistryCredentialProvider}; {@link
 * RegistryCredentialProviders} finds it with {@link java.util.ServiceLoader}. {@code
 * tune-cloud-aws} brings Amazon ECR, {@code tune-cloud-gcp} brings Artifact Registry. Registries
 * that no provider serves are reached with the docker config and credential helpers instead.
 *
 * <p>Implementations need a public no-argument constructor that is cheap (no network, no credential
 * lookup): they are instantiated to ask {@link #serves(String)}. Every failure is a {@link
 * dev.tune.core.error.TuneException}; secrets never appear in messages.
 */
public interface RegistryCredentialProvider {
  /** A short name for messages, e.g. {@code Amazon ECR}. */
  String name();

  /**
   * Whether this provider hands out credentials for {@code registry}, a host name with an optional
   * port such as {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com}.
   */
  boolean serves(String registry);

  /**
   * A credential for pulling from and pushing to {@code registry}.
   *
   * @throws dev.tune.core.error.AuthException if the cloud's credentials are missing or refused
   */
  RegistryCredential credential(String registry);

  /**
   * Creates {@code repository} (the image name without registry and tag) in {@code registry} if it
   * does not exist yet; returns whether it created one. Providers whose registry cannot create
   * repositories on request keep this default, which refuses.
   *
   * @throws dev.tune.core.error.AuthException if the credentials may not create repositories
   */
  default boolean createRepository(String registry, String repository) {
    throw new BadInputException(
        name() + " repositories cannot be created by tune: " + registry + "/" + repository + ".",
        "Create the repository with the cloud's console or CLI, then package again.");
  }
}
