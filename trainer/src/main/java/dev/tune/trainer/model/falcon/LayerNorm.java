package dev.tune.trainer.model.falcon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last dimension, with weight and bias. */
public final class LayerNorm {

  private final NDArray weight;
  private final NDArray bias;
  private final float eps;

  public LayerNorm(NDArray weight, NDArray bias, double eps) {
    this.weight = weight;
    this.bias = bias;
    this.eps = (float) eps;
  }

  public NDArray forward(NDArray x) {
    Shape normalized = new Shape(weight.getShape().get(0));
    return x.getNDArrayInternal().layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
  }
}
