package dev.tune.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import java.util.List;

/**
 * {@code torch.nn.utils.clip_grad_norm_} with the L2 norm: the norm of the per-tensor norms is the
 * total; every gradient is scaled in place by {@code min(1, max_norm / (total + 1e-6))}.
 *
 * <p>Norms are computed in fp32 whatever the gradient dtype (torch keeps the gradient's dtype; the
 * same for fp32 gradients). A non-finite total makes every gradient non-finite, as in torch without
 * {@code error_if_nonfinite}. Nothing is read back to the host.
 */
public final class GradientClipper implements AutoCloseable {

  /** HF's default {@code max_grad_norm}. */
  public static final double DEFAULT_MAX_NORM = 1.0;

  private static final float EPSILON = 1e-6f;

  private final double maxNorm;
  private final ScalarOperands scalars;

  /**
   * @param maxNorm the largest total norm left unscaled
   * @param parent the manager for the clipper's scalars
   */
  public GradientClipper(double maxNorm, NDManager parent) {
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new BadInputException(
          "max_grad_norm must be finite and > 0, got " + maxNorm,
          "set max_grad_norm to a positive value, e.g. 1.0 (HF default)");
    }
    this.maxNorm = maxNorm;
    this.scalars = new ScalarOperands(parent);
  }

  /**
   * Scales the parameters' gradients in place so their total L2 norm is at most the maximum.
   *
   * @return the total norm before clipping, an fp32 scalar on the first parameter's device,
   *     attached to {@code resultManager}; read it when convenient (reading syncs the device)
   */
  public NDArray clip(List<TrainableParameter> params, NDManager resultManager) {
    if (params.isEmpty()) {
      return resultManager.zeros(new Shape(), DataType.FLOAT32);
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      Device first = params.get(0).array().getDevice();
      NDList norms = new NDList(params.size());
      for (TrainableParameter param : params) {
        norms.add(param.gradient().toType(DataType.FLOAT32, false).norm().toDevice(first, false));
      }
      NDArray total = NDArrays.stack(norms).norm();
      // torch evaluates max_norm / (total + 1e-6) as reciprocal(total + 1e-6) * max_norm
      NDArray coefficient =
          scalars
              .of(1f)
              .div(total.add(scalars.of(EPSILON)))
              .muli(scalars.of((float) maxNorm))
              .minimum(scalars.of(1f));
      for (TrainableParameter param : params) {
        NDArray gradient = param.gradient();
        gradient.muli(coefficient.toDevice(gradient.getDevice(), false));
      }
      NDScope.unregister(total);
      total.attach(resultManager);
      return total;
    }
  }

  @Override
  public void close() {
    scalars.close();
  }
}
