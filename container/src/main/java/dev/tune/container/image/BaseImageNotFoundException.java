package dev.tune.container.image;

import dev.tune.core.error.NotFoundException;

/** The base image (or its tag) does not exist in its registry. */
public final class BaseImageNotFoundException extends NotFoundException {
  public BaseImageNotFoundException(String baseImage, Throwable cause) {
    super(
        "The base image " + baseImage + " was not found in its registry.",
        "Check the name and tag (docker.io images need their namespace, e.g. pytorch/pytorch), or"
            + " give another with --base.",
        cause);
  }
}
