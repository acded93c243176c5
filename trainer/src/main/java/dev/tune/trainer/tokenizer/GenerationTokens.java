package dev.tune.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stop tokens generation uses: {@code eos_token_id} of {@code generation_config.json}, or of
 * {@code config.json} when there is no generation config (transformers derives one from the model
 * config then). Either may list several ids (Llama 3 Instruct stops on three).
 */
record GenerationTokens(Optional<List<Long>> eosTokenIds) {

  static final String GENERATION_CONFIG = "generation_config.json";
  static final String MODEL_CONFIG = "config.json";

  static GenerationTokens read(Path modelDir) {
    Optional<JsonNode> config = JsonFile.readIfPresent(modelDir.resolve(GENERATION_CONFIG));
    if (config.isEmpty()) {
      config = JsonFile.readIfPresent(modelDir.resolve(MODEL_CONFIG));
    }
    return new GenerationTokens(config.flatMap(c -> ids(c.get("eos_token_id"))));
  }

  private static Optional<List<Long>> ids(JsonNode value) {
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    List<Long> ids = new ArrayList<>();
    if (value.isArray()) {
      value.forEach(v -> ids.add(v.asLong()));
    } else if (value.isIntegralNumber()) {
      ids.add(value.asLong());
    } else {
      return Optional.empty();
    }
    return Optional.of(List.copyOf(ids));
  }
}
