package dev.tune.trainer.optim;

import ai.djl.ndarray.NDArray;

/**
 * A parameter the optimizer updates in place.
 *
 * @param name a stable name (the checkpoint's tensor name); optimizer state is keyed by it so a
 *     saved state finds its parameter again after a restart
 * @param array the parameter; it must require gradients
 * @param weightDecay whether weight decay applies; HF Trainer exempts biases and norm weights
 */
public record TrainableParameter(String name, NDArray array, boolean weightDecay) {

  public TrainableParameter {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a trainable parameter needs a name");
    }
    if (array == null) {
      throw new IllegalArgumentException("trainable parameter '" + name + "' has no array");
    }
  }

  /** A parameter that takes weight decay. */
  public static TrainableParameter of(String name, NDArray array) {
    return new TrainableParameter(name, array, true);
  }

  /**
   * The gradient the last backward pass left, as a new handle attached to the parameter's manager.
   */
  NDArray gradient() {
    if (!array.hasGradient()) {
      throw new IllegalStateException(
          "parameter '" + name + "' does not require gradients; call setRequiresGradient(true)");
    }
    return array.getGradient();
  }
}
