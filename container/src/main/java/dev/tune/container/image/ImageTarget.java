package dev.tune.container.image;

import java.nio.file.Path;
import java.util.Objects;

/** Where the built image goes. */
public sealed interface ImageTarget {
  /** The image reference that names the result, e.g. {@code registry/repo:tag}. */
  String reference();

  /**
   * Pushed to a registry, e.g. {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tune:1}.
   *
   * @param reference registry, repository and tag
   */
  record Registry(String reference) implements ImageTarget {
    public Registry {
      Objects.requireNonNull(reference, "reference");
    }
  }

  /**
   * Written to a tar file that {@code docker load} and {@code skopeo} read.
   *
   * @param file the tar file to write
   * @param reference the name recorded in the tar, e.g. {@code tune:latest}
   */
  record Tar(Path file, String reference) implements ImageTarget {
    public Tar {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(reference, "reference");
    }
  }
}
