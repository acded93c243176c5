package dev.tune.trainer.report;

import java.util.Objects;

/**
 * A held-out prompt and what the model generated for it before and after training (the {@code
 * samples} of {@code metrics.json}).
 */
public record Sample(String prompt, String before, String after) {
  public Sample {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
  }
}
