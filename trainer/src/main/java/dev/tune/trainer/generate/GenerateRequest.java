package dev.tune.trainer.generate;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One prompt to continue, and how. Settings left empty take the model's {@code
 * generation_config.json} value, else transformers' default (see {@link TextGenerator}).
 *
 * @param prompt the text to continue (or, with {@code chat}, the user's message)
 * @param chat render the prompt as one user message through the model's chat template, with the
 *     assistant's turn opened ({@code add_generation_prompt=True})
 * @param maxNewTokens at most this many new tokens
 * @param temperature 0 for greedy decoding; above 0, sampling from the softmax of logits /
 *     temperature
 * @param topP nucleus sampling: keep the most likely tokens whose probability reaches p
 * @param topK keep only the k most likely tokens when sampling; 0 keeps all
 * @param seed the seed of the sampling random stream; the same seed gives the same text
 */
public record GenerateRequest(
    String prompt,
    boolean chat,
    OptionalInt maxNewTokens,
    OptionalDouble temperature,
    OptionalDouble topP,
    OptionalInt topK,
    OptionalLong seed) {

  public GenerateRequest {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(maxNewTokens, "maxNewTokens");
    Objects.requireNonNull(temperature, "temperature");
    Objects.requireNonNull(topP, "topP");
    Objects.requireNonNull(topK, "topK");
    Objects.requireNonNull(seed, "seed");
  }

  /** A request for {@code prompt} with every setting from the model's defaults. */
  public static GenerateRequest of(String prompt) {
    return builder().prompt(prompt).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link GenerateRequest}; the prompt is required. */
  public static final class Builder {
    private String prompt;
    private boolean chat;
    private OptionalInt maxNewTokens = OptionalInt.empty();
    private OptionalDouble temperature = OptionalDouble.empty();
    private OptionalDouble topP = OptionalDouble.empty();
    private OptionalInt topK = OptionalInt.empty();
    private OptionalLong seed = OptionalLong.empty();

    private Builder() {}

    public Builder prompt(String value) {
      this.prompt = value;
      return this;
    }

    public Builder chat(boolean value) {
      this.chat = value;
      return this;
    }

    public Builder maxNewTokens(int value) {
      this.maxNewTokens = OptionalInt.of(value);
      return this;
    }

    public Builder temperature(double value) {
      this.temperature = OptionalDouble.of(value);
      return this;
    }

    public Builder topP(double value) {
      this.topP = OptionalDouble.of(value);
      return this;
    }

    public Builder topK(int value) {
      this.topK = OptionalInt.of(value);
      return this;
    }

    public Builder seed(long value) {
      this.seed = OptionalLong.of(value);
      return this;
    }

    public GenerateRequest build() {
      return new GenerateRequest(prompt, chat, maxNewTokens, temperature, topP, topK, seed);
    }
  }
}
