package dev.tune.container.train;

import java.util.Objects;

/** One prompt with the base model's answer before training and the tuned model's after. */
record Sample(String prompt, String before, String after) {
  Sample {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
  }
}
