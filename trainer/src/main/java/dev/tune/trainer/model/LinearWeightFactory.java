package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Makes the frozen weight of each {@link Linear} while a model loads, so a quantizer can pack the
 * weight once, at load.
 *
 * <p>The arrays a factory keeps must outlive the load: keep them in the checkpoint weight's manager
 * (the model's), and load models outside any {@link ai.djl.ndarray.NDScope}, which would otherwise
 * free them when it closes.
 */
@FunctionalInterface
public interface LinearWeightFactory {

  /**
   * @param moduleName the module, e.g. {@code model.layers.0.self_attn.q_proj}; {@code lm_head} too
   *     unless it is tied to the embeddings (then the factory is not asked)
   * @param checkpointWeight the {@code [out, in]} weight in its stored dtype, attached to the
   *     model's manager; the factory owns it and closes it when it keeps another form
   * @param computeDtype the dtype the model computes in
   */
  LinearWeight create(String moduleName, NDArray checkpointWeight, DataType computeDtype);

  /** Keeps every weight dense, cast once to the compute dtype. */
  static LinearWeightFactory dense() {
    return (name, weight, computeDtype) -> {
      NDArray cast = weight.toType(computeDtype, false);
      if (cast != weight) {
        weight.close();
      }
      return new DenseWeight(cast);
    };
  }
}
