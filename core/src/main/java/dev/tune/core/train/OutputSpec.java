package dev.tune.core.train;

import dev.tune.core.ResourceName;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;

/**
 * What training produces.
 *
 * @param name the model's name in the registry and the default endpoint name
 * @param dir where the model is written; empty lets the provider choose (its bucket or work
 *     directory, under {@code name})
 * @param mergeAdapter whether the adapter is merged into dense base weights, giving a plain Hugging
 *     Face checkpoint; otherwise only the adapter is exported
 */
public record OutputSpec(String name, Optional<ArtifactUri> dir, boolean mergeAdapter) {
  public OutputSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dir, "dir");
    new Violations("output settings")
        .check(ResourceName.isValid(name), "name", name, ResourceName.RULE)
        .throwIfAny();
  }

  /** A merged model named {@code name} in the provider's default place. */
  public static OutputSpec named(String name) {
    return new OutputSpec(name, Optional.empty(), true);
  }
}
