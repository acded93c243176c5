package dev.tune.trainer.model;

import dev.tune.core.error.BadInputException;

/**
 * A model directory tune cannot load as written: {@code config.json} is malformed, names an
 * unsupported architecture or feature, or disagrees with the checkpoint's tensors.
 */
public final class ModelConfigException extends BadInputException {

  public ModelConfigException(String message, String fix) {
    super(message, fix);
  }

  /** A value of {@code config.json} that no consistent transformers config has. */
  public static ModelConfigException invalid(String message) {
    return new ModelConfigException(
        message, "correct config.json to the values transformers saved with the checkpoint");
  }

  public ModelConfigException(String message, String fix, Throwable cause) {
    super(message, fix, cause);
  }
}
