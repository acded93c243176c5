package dev.tune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;

/** Checks on state tensors read back from a checkpoint. */
final class StateTensors {

  private StateTensors() {}

  static NDArray require(OptimizerState state, String key) {
    NDArray tensor = state.tensors().get(key);
    if (tensor == null) {
      throw new BadInputException(
          "optimizer state lacks tensor '" + key + "' that its metadata announces",
          "the checkpoint is incomplete; resume from another checkpoint");
    }
    return tensor;
  }

  static void requireShape(String param, NDArray state, Shape expected) {
    if (!state.getShape().equals(expected)) {
      throw new BadInputException(
          "optimizer state for '"
              + param
              + "' has shape "
              + state.getShape()
              + " but the parameter has "
              + expected,
          "the checkpoint belongs to another model or LoRA config; resume with the model and"
              + " lora settings it was written with");
    }
  }
}
