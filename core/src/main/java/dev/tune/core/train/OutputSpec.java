package dev.tune.core.train;

import dev.tune.core.ResourceName;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.Violations;
import java.util.List;
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
 * @param samplePrompts prompts answered by the base model before training and by the tuned model
 *     after it, to show the difference; empty lets the trainer take up to three held-out rows
 */
public record OutputSpec(
    String name, Optional<ArtifactUri> dir, boolean mergeAdapter, List<String> samplePrompts) {
  public OutputSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dir, "dir");
    samplePrompts = List.copyOf(samplePrompts);
    new Violations("output settings")
        .check(ResourceName.isValid(name), "name", name, ResourceName.RULE)
        .check(
            samplePrompts.stream().noneMatch(String::isBlank),
            "sample_prompts",
            samplePrompts.toString(),
            "prompts that are not blank")
        .throwIfAny();
  }

  /** Output without sample prompts of its own. */
  public OutputSpec(String name, Optional<ArtifactUri> dir, boolean mergeAdapter) {
    this(name, dir, mergeAdapter, List.of());
  }

  /** A merged model named {@code name} in the provider's default place. */
  public static OutputSpec named(String name) {
    return new OutputSpec(name, Optional.empty(), true);
  }

  /** A copy with {@code prompts} as the sample prompts. */
  public OutputSpec withSamplePrompts(List<String> prompts) {
    return new OutputSpec(name, dir, mergeAdapter, prompts);
  }
}
