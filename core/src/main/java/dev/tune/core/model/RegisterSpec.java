package dev.tune.core.model;

import dev.tune.core.ResourceName;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.Violations;
import java.util.Objects;

/**
 * A model to add to the provider's registry.
 *
 * @param name the model's name in the registry
 * @param artifact the exported Hugging Face model directory, in the provider's storage
 */
public record RegisterSpec(String name, ArtifactUri artifact) {
  public RegisterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(artifact, "artifact");
    new Violations("model registration")
        .check(ResourceName.isValid(name), "name", name, ResourceName.RULE)
        .throwIfAny();
  }
}
