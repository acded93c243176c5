package dev.tune.container.image;

import dev.tune.core.error.NotFoundException;

/** The target repository does not exist and the registry does not create it on push. */
public final class RepositoryNotFoundException extends NotFoundException {
  public RepositoryNotFoundException(String target, Throwable cause) {
    super(
        "The repository of " + target + " does not exist in its registry.",
        "Create it first, or pass --create-repository (Amazon ECR) to let tune create it.",
        cause);
  }
}
