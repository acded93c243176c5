package dev.tune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * RMSNorm as {@code LlamaRMSNorm}: normalized in float32, cast back to the input dtype, then
 * multiplied by the weight (so a float32 weight promotes the result to float32, as in torch).
 */
public final class RmsNorm {

  private final NDArray weight;
  private final double eps;

  public RmsNorm(NDArray weight, double eps) {
    this.weight = weight;
    this.eps = eps;
  }

  public NDArray weight() {
    return weight;
  }

  public NDArray forward(NDArray x) {
    DataType inputDtype = x.getDataType();
    NDArray h = x.toType(DataType.FLOAT32, false);
    NDArray variance = h.square().mean(new int[] {-1}, true);
    h = h.mul(variance.add(eps).pow(-0.5));
    return weight.mul(h.toType(inputDtype, false));
  }
}
