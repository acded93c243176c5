package dev.tune.trainer.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.List;

/** Puts chosen gradients on parameters through a real backward pass. */
final class Gradients {

  private Gradients() {}

  /** After this, {@code param.getGradient()} equals {@code values}: the loss is sum(param * c). */
  static void set(NDArray param, float[] values) {
    try (NDScope scope = new NDScope();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      scope.suppressNotUsedWarning();
      NDArray coefficients = param.getManager().create(values, param.getShape());
      // Not collector.zeroGradients(): it zeroes every array of the engine, as g - g, which turns
      // an inf gradient into NaN.
      Optimizer.zeroGrad(List.of(TrainableParameter.of("gradient fixture", param)));
      collector.backward(param.mul(coefficients).sum());
    }
  }
}
