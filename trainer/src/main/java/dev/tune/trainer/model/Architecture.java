package dev.tune.trainer.model;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The causal-LM architectures tune can load, by their transformers class name. */
public enum Architecture {
  LLAMA("LlamaForCausalLM", "llama"),
  MISTRAL("MistralForCausalLM", "mistral"),
  FALCON("FalconForCausalLM", "falcon");

  private final String className;
  private final String modelType;

  Architecture(String className, String modelType) {
    this.className = className;
    this.modelType = modelType;
  }

  /** The transformers class name written in {@code config.json} {@code architectures}. */
  public String className() {
    return className;
  }

  /** The {@code model_type} transformers writes for this architecture. */
  public String modelType() {
    return modelType;
  }

  /** Comma-separated class names, for error messages. */
  public static String supportedNames() {
    return Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", "));
  }

  /**
   * Picks the architecture from {@code config.json}: the first supported entry of {@code
   * architectures}, or {@code model_type} when {@code architectures} is absent.
   */
  static Architecture select(List<String> architectures, String modelType, String source) {
    if (architectures.isEmpty()) {
      for (Architecture a : values()) {
        if (a.modelType.equals(modelType)) {
          return a;
        }
      }
      throw new ModelConfigException(
          source + " names no architecture (model_type " + modelType + ")",
          "use a checkpoint whose \"architectures\" names one of: " + supportedNames());
    }
    for (String name : architectures) {
      for (Architecture a : values()) {
        if (a.className.equals(name)) {
          return a;
        }
      }
    }
    throw new ModelConfigException(
        source + ": architecture " + String.join(", ", architectures) + " is not supported",
        "use a checkpoint of a supported architecture: " + supportedNames());
  }
}
