package dev.tune.trainer.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A model's {@code generation_config.json}: the generation defaults its authors chose. Absent
 * fields stay empty so callers can fall back to their own defaults.
 */
public record GenerationConfig(
    SpecialTokenIds specialTokenIds,
    boolean doSample,
    OptionalDouble temperature,
    OptionalInt topK,
    OptionalDouble topP,
    OptionalInt maxNewTokens,
    OptionalDouble repetitionPenalty) {

  /** Reads {@code generation_config.json} from a model directory, if it has one. */
  public static Optional<GenerationConfig> read(Path modelDir) {
    Path file = modelDir.resolve("generation_config.json");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(from(ConfigJson.read(file)));
  }

  /** Parses the text of a {@code generation_config.json}. */
  public static GenerationConfig parse(String json) {
    return from(ConfigJson.parse(json, "generation_config.json"));
  }

  private static GenerationConfig from(ConfigJson json) {
    return new GenerationConfig(
        SpecialTokenIds.read(json),
        json.boolOr(false, "do_sample"),
        json.optionalDouble("temperature"),
        json.optionalInt("top_k"),
        json.optionalDouble("top_p"),
        json.optionalInt("max_new_tokens"),
        json.optionalDouble("repetition_penalty"));
  }
}
