package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * The autograd controls the trainer needs beyond DJL's {@code GradientCollector}: recording
 * switched on and off around segments of one step (gradient checkpointing runs a layer once without
 * recording and once with), and backward from a non-scalar output with a given upstream gradient.
 *
 * <p>libtorch's grad mode is per thread, and DJL only switches it off on the thread that loaded the
 * engine, so the trainer sets it explicitly for everything it runs.
 */
final class Autograd {

  private Autograd() {}

  /** Runs {@code body} with recording on, then restores this thread's previous grad mode. */
  static <T> T recorded(Supplier<T> body) {
    return withGradMode(true, body);
  }

  /** Runs {@code body} with recording off, then restores this thread's previous grad mode. */
  static <T> T unrecorded(Supplier<T> body) {
    return withGradMode(false, body);
  }

  /** {@link #unrecorded(Supplier)} for a body without a result. */
  static void unrecorded(Runnable body) {
    withGradMode(
        false,
        () -> {
          body.run();
          return null;
        });
  }

  private static <T> T withGradMode(boolean on, Supplier<T> body) {
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(on);
    try {
      return body.get();
    } finally {
      JniUtils.setGradMode(before);
    }
  }

  /** Backpropagates a scalar, accumulating into the {@code .grad} of every leaf that needs one. */
  static void backward(NDArray scalar) {
    try (NDArray ones = scalar.onesLike()) {
      backward(scalar, ones);
    }
  }

  /**
   * Backpropagates {@code sum(output ⊙ upstream)}: the vector-Jacobian product that carries a
   * layer's output gradient to its parameters and input. The graph is freed afterwards.
   */
  static void backward(NDArray output, NDArray upstream) {
    JniUtils.backward(pt(output), pt(upstream), false, false);
  }

  private static PtNDArray pt(NDArray array) {
    if (array instanceof PtNDArray pt) {
      return pt;
    }
    throw new IllegalArgumentException(
        "the trainer needs PyTorch engine arrays, got " + array.getClass().getName());
  }
}
