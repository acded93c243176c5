package dev.tune.core.endpoint;

import java.util.Objects;

/**
 * What an endpoint generated for one prompt.
 *
 * @param text the generated text, without the prompt
 */
public record Prediction(String text) {
  public Prediction {
    Objects.requireNonNull(text, "text");
  }
}
