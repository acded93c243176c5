package dev.tune.container.serve;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The generation settings one prompt asked for; an empty field takes the request's {@code
 * parameters}, then the model's defaults.
 *
 * @param maxTokens the most new tokens ({@code max_tokens} or {@code max_new_tokens})
 * @param temperature 0 decodes greedily
 * @param topP nucleus sampling threshold in (0, 1]
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param seed seeds sampling, so equal requests give equal answers
 */
public record GenerationOptions(
    OptionalInt maxTokens,
    OptionalDouble temperature,
    OptionalDouble topP,
    OptionalInt topK,
    OptionalLong seed) {

  public static final GenerationOptions NONE =
      new GenerationOptions(
          OptionalInt.empty(),
          OptionalDouble.empty(),
          OptionalDouble.empty(),
          OptionalInt.empty(),
          OptionalLong.empty());

  public GenerationOptions {
    Objects.requireNonNull(maxTokens, "maxTokens");
    Objects.requireNonNull(temperature, "temperature");
    Objects.requireNonNull(topP, "topP");
    Objects.requireNonNull(topK, "topK");
    Objects.requireNonNull(seed, "seed");
  }

  /** These options with every field that {@code more} sets taken from it. */
  public GenerationOptions overriddenBy(GenerationOptions more) {
    return new GenerationOptions(
        more.maxTokens.isPresent() ? more.maxTokens : maxTokens,
        more.temperature.isPresent() ? more.temperature : temperature,
        more.topP.isPresent() ? more.topP : topP,
        more.topK.isPresent() ? more.topK : topK,
        more.seed.isPresent() ? more.seed : seed);
  }
}
