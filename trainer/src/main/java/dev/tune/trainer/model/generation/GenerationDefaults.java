package dev.tune.trainer.model.generation;

import dev.tune.trainer.model.GenerationConfig;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The sampling settings a request gets where it says nothing, as transformers' {@code generate()}
 * resolves them: the model's {@code generation_config.json}, else transformers' defaults. Decoding
 * is greedy unless the config says {@code do_sample} (then its temperature, default 1.0); {@code
 * top_k} defaults to 50 and {@code top_p} to 1.0. The new-token limit has no transformers default
 * here: each caller picks its own fallback.
 *
 * @param temperature 0 for greedy decoding
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP nucleus sampling threshold
 * @param maxNewTokens the config's {@code max_new_tokens}, if it sets one
 */
public record GenerationDefaults(
    double temperature, int topK, double topP, OptionalInt maxNewTokens) {

  /** transformers' {@code top_k} where generation_config.json does not set one. */
  public static final int TRANSFORMERS_TOP_K = 50;

  /** transformers' {@code top_p} where generation_config.json does not set one. */
  public static final double TRANSFORMERS_TOP_P = 1.0;

  public GenerationDefaults {
    Objects.requireNonNull(maxNewTokens, "maxNewTokens");
  }

  /** The defaults of a model with {@code config}, or transformers' own if it has none. */
  public static GenerationDefaults of(Optional<GenerationConfig> config) {
    return config
        .map(GenerationDefaults::of)
        .orElseGet(
            () ->
                new GenerationDefaults(
                    0.0, TRANSFORMERS_TOP_K, TRANSFORMERS_TOP_P, OptionalInt.empty()));
  }

  /** The defaults of a model whose generation_config.json says {@code config}. */
  public static GenerationDefaults of(GenerationConfig config) {
    return new GenerationDefaults(
        config.doSample() ? config.temperature().orElse(1.0) : 0.0,
        config.topK().orElse(TRANSFORMERS_TOP_K),
        config.topP().orElse(TRANSFORMERS_TOP_P),
        config.maxNewTokens());
  }
}
