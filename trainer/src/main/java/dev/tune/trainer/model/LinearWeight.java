package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The frozen weight of a {@link Linear}: stored dense, or quantized and expanded at each use.
 *
 * <p>A quantized tensor plugs in with a method reference, e.g. {@code nf4::dequantize}.
 */
@FunctionalInterface
public interface LinearWeight {

  /**
   * Returns the weight as a dense {@code [out_features, in_features]} array of {@code
   * computeDtype}.
   *
   * <p>The result may be the stored array itself (a dense weight already in that dtype): callers
   * must never close it. A freshly made array (a cast, a dequantization) is registered with the
   * caller's {@link ai.djl.ndarray.NDScope}, which frees it.
   */
  NDArray dense(DataType computeDtype);
}
