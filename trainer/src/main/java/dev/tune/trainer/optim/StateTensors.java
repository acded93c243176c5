package dev.tune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Checks on state tensors read back from a checkpoint. */
final class StateTensors {

  private StateTensors() {}

  static NDArray require(OptimizerState state, String key) {
    NDArray tensor = state.tensors().get(key);
    if (tensor == null) {
      throw new IllegalArgumentException(
          "optimizer state lacks tensor '"
              + key
              + "' that its metadata announces; the checkpoint is incomplete");
    }
    return tensor;
  }

  static void requireShape(String param, NDArray state, Shape expected) {
    if (!state.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          "optimizer state for '"
              + param
              + "' has shape "
              + state.getShape()
              + " but the parameter has "
              + expected
              + "; the checkpoint belongs to another model or LoRA config");
    }
  }
}
