package dev.tune.trainer.lora;

import java.util.Optional;

/**
 * The tensor names peft gives LoRA weights in {@code adapter_model.safetensors}: {@code
 * base_model.model.<module>.lora_A.weight} and {@code ...lora_B.weight}, without the adapter name
 * ({@code default}) that peft strips when it saves.
 */
public final class PeftNames {

  /**
   * The prefix of every name: peft's {@code PeftModel.base_model} wraps the model as {@code model}.
   */
  public static final String PREFIX = "base_model.model.";

  private static final String A_SUFFIX = ".lora_A.weight";
  private static final String B_SUFFIX = ".lora_B.weight";

  private PeftNames() {}

  /** {@code base_model.model.<module>.lora_A.weight}. */
  public static String loraA(String module) {
    return PREFIX + module + A_SUFFIX;
  }

  /** {@code base_model.model.<module>.lora_B.weight}. */
  public static String loraB(String module) {
    return PREFIX + module + B_SUFFIX;
  }

  /** Which half of an adapter a tensor is. */
  public enum Part {
    A,
    B
  }

  /** A tensor name split into the module it adapts and the half it holds. */
  public record Key(String module, Part part) {}

  /** Splits a peft tensor name; empty if it is not a LoRA A or B weight with peft's prefix. */
  public static Optional<Key> parse(String tensorName) {
    if (!tensorName.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = tensorName.substring(PREFIX.length());
    if (rest.endsWith(A_SUFFIX) && rest.length() > A_SUFFIX.length()) {
      return Optional.of(new Key(rest.substring(0, rest.length() - A_SUFFIX.length()), Part.A));
    }
    if (rest.endsWith(B_SUFFIX) && rest.length() > B_SUFFIX.length()) {
      return Optional.of(new Key(rest.substring(0, rest.length() - B_SUFFIX.length()), Part.B));
    }
    return Optional.empty();
  }
}
