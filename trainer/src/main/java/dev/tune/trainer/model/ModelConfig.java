package dev.tune.trainer.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model's {@code config.json}: the fields every supported family shares, with the family-specific
 * records {@link LlamaConfig} (Llama and Mistral) and {@link FalconConfig}.
 */
public sealed interface ModelConfig permits LlamaConfig, FalconConfig {

  Architecture architecture();

  int vocabSize();

  int hiddenSize();

  int numHiddenLayers();

  int numAttentionHeads();

  /** Key/value heads as attention uses them (1 for Falcon multi-query). */
  int numKeyValueHeads();

  int headDim();

  int maxPositionEmbeddings();

  boolean tieWordEmbeddings();

  RopeParameters ropeParameters();

  /** The attention window of Mistral-style sliding-window attention; empty when unlimited. */
  OptionalInt slidingWindow();

  SpecialTokenIds specialTokenIds();

  /** {@code dtype} (transformers 5) or {@code torch_dtype} (older), as written. */
  Optional<String> dtype();

  /** Reads {@code config.json} from a model directory. */
  static ModelConfig read(Path modelDir) {
    Path file = modelDir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new ModelConfigException(
          modelDir + " holds no config.json",
          "point to a Hugging Face model directory (config.json and model.safetensors)");
    }
    return from(ConfigJson.read(file));
  }

  /** Parses the text of a {@code config.json}. */
  static ModelConfig parse(String json) {
    return from(ConfigJson.parse(json, "config.json"));
  }

  private static ModelConfig from(ConfigJson json) {
    Architecture architecture =
        Architecture.select(
            json.stringList("architectures"),
            json.optionalString("model_type").orElse(""),
            json.source());
    return switch (architecture) {
      case LLAMA, MISTRAL -> LlamaConfig.read(architecture, json);
      case FALCON -> FalconConfig.read(json);
    };
  }
}
