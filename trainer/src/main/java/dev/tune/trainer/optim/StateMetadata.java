package dev.tune.trainer.optim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tune.core.error.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON part of an {@link OptimizerState}.
 *
 * @param optimizer the config name of the optimizer that wrote it
 * @param formatVersion the layout version of the state tensors
 * @param options the settings it ran with; a resumed run must use the same
 * @param params per parameter name: step count and how the moments are stored
 */
record StateMetadata(
    String optimizer, int formatVersion, AdamWOptions options, Map<String, ParamEntry> params) {

  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  StateMetadata {
    params = new LinkedHashMap<>(params);
  }

  /**
   * One parameter's entry.
   *
   * @param step the updates applied so far (bias correction depends on it)
   * @param layout how the moments are stored, e.g. {@code fp32} or {@code blockwise8bit}
   */
  record ParamEntry(long step, String layout) {}

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("optimizer state metadata did not serialize", e);
    }
  }

  static StateMetadata fromJson(String json) {
    try {
      return JSON.readValue(json, StateMetadata.class);
    } catch (JsonProcessingException e) {
      throw new BadInputException(
          "optimizer state metadata is not valid JSON of this format: " + e.getOriginalMessage(),
          "the checkpoint's optimizer state is damaged; resume from another checkpoint",
          e);
    }
  }

  /** Throws unless this state was written by {@code optimizerName} with {@code expected}. */
  StateMetadata requireFrom(String optimizerName, AdamWOptions expected) {
    if (!optimizer.equals(optimizerName)) {
      throw new BadInputException(
          "the checkpoint holds "
              + optimizer
              + " optimizer state, but the run uses "
              + optimizerName,
          "resume with optim: " + optimizer + ", or start without the optimizer state");
    }
    if (formatVersion != FORMAT_VERSION) {
      throw new BadInputException(
          "optimizer state format "
              + formatVersion
              + " is not supported; this trainer reads format "
              + FORMAT_VERSION,
          "resume with the trainer version that wrote the checkpoint");
    }
    if (!options.equals(expected)) {
      throw new BadInputException(
          "the checkpoint's optimizer ran with "
              + options
              + " but the run is configured with "
              + expected,
          "resume with the same adam_beta1, adam_beta2, adam_epsilon and weight_decay");
    }
    return this;
  }
}
