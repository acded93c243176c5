package dev.tune.trainer.optim;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/**
 * Updates parameters in place from their gradients. State (moments, step counts) is created on the
 * first step of each parameter, keyed by its name, and lives until {@link #close()}.
 *
 * <p>{@link #step} issues device operations only: it never reads a value back to the host, so the
 * GPU queue stays full.
 */
public interface Optimizer extends AutoCloseable {

  /** The config name, e.g. {@code adamw_torch}. */
  String name();

  /**
   * Applies one update to each parameter from its current gradient.
   *
   * @param params the parameters, each with a gradient from the last backward pass
   * @param lr the learning rate of this step (from the schedule)
   */
  void step(List<TrainableParameter> params, double lr);

  /**
   * A copy of the optimizer's state for a checkpoint, attached to {@code manager} (the caller
   * closes it). Loading it into a fresh optimizer of the same kind continues bit-exactly.
   */
  OptimizerState state(NDManager manager);

  /**
   * Replaces this optimizer's state with a copy of {@code state}; the caller keeps ownership of
   * {@code state}.
   *
   * @throws IllegalArgumentException when the state is of another optimizer or other settings
   */
  void loadState(OptimizerState state);

  /** Releases the optimizer state's native memory. */
  @Override
  void close();

  /**
   * Sets the gradients to zero in place (torch's {@code zero_grad(set_to_none=False)}), ready to
   * accumulate the next backward passes.
   */
  static void zeroGrad(List<TrainableParameter> params) {
    for (TrainableParameter param : params) {
      if (param.array() instanceof PtNDArray array && array.hasGradient()) {
        JniUtils.zeroGrad(array);
      } else {
        throw new IllegalArgumentException(
            "parameter '" + param.name() + "' is not a PyTorch array that requires gradients");
      }
    }
  }
}
