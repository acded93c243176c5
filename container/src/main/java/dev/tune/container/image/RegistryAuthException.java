package dev.tune.container.image;

import dev.tune.core.error.AuthException;

/** The registry refused the credentials, or none were found for it. */
public final class RegistryAuthException extends AuthException {
  public RegistryAuthException(String registry, String action, Throwable cause) {
    super(
        "The registry " + registry + " refused to let tune " + action + ".",
        "Log in to it (docker login "
            + registry
            + ", a credential helper in ~/.docker/config.json, or the cloud's own credentials"
            + " for ECR and Artifact Registry) with a user allowed to "
            + action
            + ".",
        cause);
  }
}
