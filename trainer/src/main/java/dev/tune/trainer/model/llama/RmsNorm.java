package dev.tune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.model.DifferentiableCast;
import dev.tune.trainer.model.GraphConstant;

/**
 * RMSNorm as {@code LlamaRMSNorm}: normalized in float32, cast back to the input dtype, then
 * multiplied by the weight (so a float32 weight promotes the result to float32, as in torch).
 */
public final class RmsNorm {

  private final NDArray weight;
  private final NDArray eps;
  private final NDArray minusHalf;

  /** The constants are made on the weight's manager and live as long as it. */
  public RmsNorm(NDArray weight, double eps) {
    this.weight = weight;
    this.eps = GraphConstant.of(weight.getManager(), (float) eps);
    this.minusHalf = GraphConstant.of(weight.getManager(), -0.5f);
  }

  public NDArray weight() {
    return weight;
  }

  public NDArray forward(NDArray x) {
    DataType inputDtype = x.getDataType();
    NDArray h = DifferentiableCast.to(x, DataType.FLOAT32);
    NDArray variance = h.square().mean(new int[] {-1}, true);
    h = h.mul(variance.add(eps).pow(minusHalf));
    return weight.mul(DifferentiableCast.to(h, inputDtype));
  }
}
