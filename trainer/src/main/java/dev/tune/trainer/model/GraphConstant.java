package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Scalar constants that a recorded forward pass may multiply by.
 *
 * <p>DJL 0.36 turns {@code array.mul(0.5)} into a temporary 0-dim array that it closes as soon as
 * the product is made. On the CPU that array wraps a Java direct buffer without copying it, and
 * autograd keeps the tensor to compute the backward pass: once the buffer is collected, backward
 * reads freed memory and the gradients become garbage (seen here: a gradient of 3 read back as
 * -4.2e8 after one GC between forward and backward). On a GPU the temporary is a synchronous
 * host-to-device copy instead. So every scalar that autograd keeps is a tensor made once, owned by
 * libtorch, and freed with the model.
 */
public final class GraphConstant {

  private GraphConstant() {}

  /**
   * A 0-dim float32 array of {@code value} on {@code manager}'s device, holding its own memory,
   * outside any {@link NDScope}; it lives until {@code manager} closes.
   */
  public static NDArray of(NDManager manager, float value) {
    NDArray owned;
    try (NDArray wrapped = manager.create(value)) {
      owned = wrapped.duplicate();
    }
    NDScope.unregister(owned);
    return owned;
  }
}
