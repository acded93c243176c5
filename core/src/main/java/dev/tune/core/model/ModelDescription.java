package dev.tune.core.model;

import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import java.time.Instant;
import java.util.Objects;

/**
 * A model in a provider's registry.
 *
 * @param ref the model
 * @param name its name in the registry
 * @param artifact where its files are
 * @param createdAt when it was registered
 */
public record ModelDescription(ModelRef ref, String name, ArtifactUri artifact, Instant createdAt) {
  public ModelDescription {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
