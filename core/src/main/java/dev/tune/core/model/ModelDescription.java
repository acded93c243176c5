package dev.tune.core.model;

import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A model in a provider's registry.
 *
 * @param ref the model
 * @param name its name in the registry
 * @param artifact where its files are
 * @param createdAt when it was registered
 * @param version the registry's version of it, where the registry keeps versions of one name
 * @param metrics what training measured and generated ({@code metrics.json}), where the registry
 *     keeps it as the model's metadata
 */
public record ModelDescription(
    ModelRef ref,
    String name,
    ArtifactUri artifact,
    Instant createdAt,
    Optional<String> version,
    Optional<ModelMetrics> metrics) {
  public ModelDescription {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** A model without version or metadata. */
  public ModelDescription(ModelRef ref, String name, ArtifactUri artifact, Instant createdAt) {
    this(ref, name, artifact, createdAt, Optional.empty(), Optional.empty());
  }

  /** The same model with registry version {@code value}. */
  public ModelDescription withVersion(String value) {
    return new ModelDescription(ref, name, artifact, createdAt, Optional.of(value), metrics);
  }

  /** The same model with training metrics {@code value}. */
  public ModelDescription withMetrics(ModelMetrics value) {
    return new ModelDescription(ref, name, artifact, createdAt, version, Optional.of(value));
  }

  /** {@code name:version}, or the name alone where there is no version. */
  public String displayName() {
    return version.map(v -> name + ":" + v).orElse(name);
  }
}
