package dev.tune.core.endpoint;

import dev.tune.core.error.Violations;
import java.util.Objects;

/**
 * One generation request, as the prediction server takes it ({@code {"prompt", "max_tokens",
 * "temperature", "top_p", "top_k"}}).
 *
 * @param text the prompt
 * @param maxTokens the most tokens to generate
 * @param temperature sampling temperature; 0 decodes greedily
 * @param topP nucleus sampling: keep the smallest set of tokens whose probabilities sum to this
 * @param topK keep only the k most likely tokens; 0 keeps all
 */
public record Prompt(String text, int maxTokens, double temperature, double topP, int topK) {
  public Prompt {
    Objects.requireNonNull(text, "text");
    Violations v = new Violations("prompt");
    v.check(!text.isEmpty(), "prompt", "\"\"", "a non-empty text");
    v.check(maxTokens >= 1, "max_tokens", maxTokens, "an integer >= 1");
    v.check(temperature >= 0, "temperature", temperature, "a number >= 0");
    v.check(topP > 0 && topP <= 1, "top_p", topP, "a number in (0, 1]");
    v.check(topK >= 0, "top_k", topK, "an integer >= 0");
    v.throwIfAny();
  }

  /**
   * A prompt with the defaults: 128 new tokens, greedy decoding (as transformers' {@code
   * generate()} does by default), top-p 1.0, top-k 50.
   */
  public static Prompt of(String text) {
    return builder(text).build();
  }

  /** A builder starting from the defaults of {@link #of(String)}. */
  public static Builder builder(String text) {
    return new Builder(text);
  }

  /** Builds {@link Prompt}. */
  public static final class Builder {
    private final String text;
    private int maxTokens = 128;
    private double temperature = 0.0;
    private double topP = 1.0;
    private int topK = 50;

    private Builder(String text) {
      this.text = text;
    }

    public Builder maxTokens(int value) {
      maxTokens = value;
      return this;
    }

    public Builder temperature(double value) {
      temperature = value;
      return this;
    }

    public Builder topP(double value) {
      topP = value;
      return this;
    }

    public Builder topK(int value) {
      topK = value;
      return this;
    }

    public Prompt build() {
      return new Prompt(text, maxTokens, temperature, topP, topK);
    }
  }
}
