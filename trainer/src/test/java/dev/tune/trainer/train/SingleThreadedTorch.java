package dev.tune.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with one libtorch intra-op thread and restores the previous count afterwards.
 *
 * <p>The trainer tests push tiny tensors through hundreds of ops per step; on a machine whose cores
 * are shared, libtorch's OpenMP threads spin-wait on each other and a step takes ten times longer
 * than on one thread (measured: 0.1 s vs 1 s per step of the fixture llama).
 */
final class SingleThreadedTorch implements BeforeAllCallback, AfterAllCallback {

  private static final String PREVIOUS = "previousThreads";

  @Override
  public void beforeAll(ExtensionContext context) {
    Engine.getInstance();
    store(context).put(PREVIOUS, JniUtils.getNumThreads());
    JniUtils.setNumThreads(1);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Integer previous = store(context).get(PREVIOUS, Integer.class);
    if (previous != null) {
      JniUtils.setNumThreads(previous);
    }
  }

  private static ExtensionContext.Store store(ExtensionContext context) {
    return context.getStore(
        ExtensionContext.Namespace.create(
            SingleThreadedTorch.class, context.getRequiredTestClass()));
  }
}
