package dev.tune.trainer.optim;

import dev.tune.core.error.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The learning-rate schedules of transformers' {@code get_scheduler} that the trainer offers. */
public enum LrScheduleType {
  /** {@code get_constant_schedule}: the base rate throughout; warmup is ignored, as in HF. */
  CONSTANT("constant"),
  /** {@code get_constant_schedule_with_warmup}. */
  CONSTANT_WITH_WARMUP("constant_with_warmup"),
  /** {@code get_linear_schedule_with_warmup}: HF Trainer's default. */
  LINEAR("linear"),
  /** {@code get_cosine_schedule_with_warmup} with {@code num_cycles}. */
  COSINE("cosine");

  private final String configName;

  LrScheduleType(String configName) {
    this.configName = configName;
  }

  /** The name used in {@code lr_scheduler_type}. */
  public String configName() {
    return configName;
  }

  /** Parses an {@code lr_scheduler_type} value. */
  public static LrScheduleType fromConfigName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (LrScheduleType type : values()) {
      if (type.configName.equals(wanted)) {
        return type;
      }
    }
    throw new BadInputException(
        "unknown lr_scheduler_type '" + name + "'",
        "use one of "
            + Arrays.stream(values())
                .map(LrScheduleType::configName)
                .collect(Collectors.joining(", ")));
  }
}
