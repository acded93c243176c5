package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Dtype casts that autograd can see through.
 *
 * <p>DJL 0.36's {@code toType} runs libtorch's {@code to()} under a {@code NoGradGuard}: the result
 * is cut from the graph, so in a recorded pass everything before a cast gets no gradient (a float16
 * {@code lm_head} input would leave the loss without any). While recording, the cast is made by
 * copying into an array of the target dtype ({@code index_put_}), which autograd differentiates
 * like {@code x.to(dtype)}; otherwise it is the plain, cheaper {@code toType}.
 */
public final class DifferentiableCast {

  private static final NDIndex ALL = new NDIndex("...");

  private DifferentiableCast() {}

  /** {@code x} as {@code dtype}; {@code x} itself when it already is. */
  public static NDArray to(NDArray x, DataType dtype) {
    if (x.getDataType() == dtype) {
      return x;
    }
    if (!JniUtils.isGradMode()) {
      return x.toType(dtype, false);
    }
    NDArray out = x.getManager().zeros(x.getShape(), dtype, x.getDevice());
    out.set(ALL, x);
    return out;
  }
}
