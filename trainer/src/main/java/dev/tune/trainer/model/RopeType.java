package dev.tune.trainer.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The RoPE frequency schemes of transformers' {@code modeling_rope_utils} that tune computes. */
public enum RopeType {
  /** {@code inv_freq = 1 / theta^(2i/d)}. */
  DEFAULT,
  /** Default frequencies divided by {@code factor}. */
  LINEAR,
  /** Llama 3.1: low frequencies divided by {@code factor}, a smooth band between. */
  LLAMA3;

  /** The spelling used in {@code rope_type}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RopeType parse(String value, String source) {
    for (RopeType t : values()) {
      if (t.configName().equals(value)) {
        return t;
      }
    }
    throw new ModelConfigException(
        source + ": rope_type \"" + value + "\" is not supported",
        "use a checkpoint whose RoPE is one of: "
            + Arrays.stream(values()).map(RopeType::configName).collect(Collectors.joining(", ")));
  }
}
