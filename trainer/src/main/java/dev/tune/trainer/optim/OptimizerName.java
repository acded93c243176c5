package dev.tune.trainer.optim;

import ai.djl.ndarray.NDManager;
import dev.tune.core.error.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The optimizers the trainer offers, by HF {@code TrainingArguments.optim} name. */
public enum OptimizerName {
  /** {@code torch.optim.AdamW}. */
  ADAMW_TORCH(AdamW.NAME),
  /** bitsandbytes 8-bit AdamW. */
  ADAMW_8BIT(AdamW8bit.NAME),
  /** bitsandbytes 8-bit AdamW with host-resident large states. */
  PAGED_ADAMW_8BIT(AdamW8bit.PAGED_NAME);

  /** HF's fused torch AdamW: the same update, computed by one kernel. */
  private static final String FUSED_ALIAS = "adamw_torch_fused";

  private final String configName;

  OptimizerName(String configName) {
    this.configName = configName;
  }

  /** The {@code optim} value. */
  public String configName() {
    return configName;
  }

  /** Parses an {@code optim} value ({@code adamw_torch_fused} is read as {@code adamw_torch}). */
  public static OptimizerName fromConfigName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    if (wanted.equals(FUSED_ALIAS)) {
      return ADAMW_TORCH;
    }
    for (OptimizerName value : values()) {
      if (value.configName.equals(wanted)) {
        return value;
      }
    }
    throw new BadInputException(
        "unknown optim '" + name + "'",
        "use one of "
            + Arrays.stream(values())
                .map(OptimizerName::configName)
                .collect(Collectors.joining(", ")));
  }

  /** A new optimizer of this kind, keeping its state under {@code parent}. */
  public Optimizer create(AdamWOptions options, NDManager parent) {
    return switch (this) {
      case ADAMW_TORCH -> new AdamW(options, parent);
      case ADAMW_8BIT -> new AdamW8bit(options, parent, false);
      case PAGED_ADAMW_8BIT -> new AdamW8bit(options, parent, true);
    };
  }
}
