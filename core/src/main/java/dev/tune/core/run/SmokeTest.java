package dev.tune.core.run;

import java.util.Objects;
import java.util.Optional;

/**
 * The prompt {@code tune run} sent to the new endpoint, its answer, and what the base model
 * answered to the same prompt before training (from the model's sample generations).
 *
 * @param prompt the prompt
 * @param tunedAnswer what the endpoint generated
 * @param baseAnswer what the base model generated, where the training run recorded it
 */
public record SmokeTest(String prompt, String tunedAnswer, Optional<String> baseAnswer) {
  public SmokeTest {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(tunedAnswer, "tunedAnswer");
    Objects.requireNonNull(baseAnswer, "baseAnswer");
  }
}
