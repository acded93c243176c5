package dev.tune.core.model;

import java.util.Objects;

/**
 * What the base model and the tuned model generated for one prompt, greedily, at the end of
 * training: the visible effect of tuning.
 *
 * @param prompt the prompt
 * @param before the base model's continuation
 * @param after the tuned model's continuation
 */
public record SampleGeneration(String prompt, String before, String after) {
  public SampleGeneration {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
  }
}
