package dev.tune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.error.BadInputException;
import java.util.List;

/**
 * Dynamic loss scaling for fp16 training, as {@code torch.amp.GradScaler}: the loss is multiplied
 * by the scale before backward; the gradients are divided by it before clipping; a step whose
 * gradients hold inf or NaN is skipped and the scale backs off; after {@code growthInterval} finite
 * steps in a row the scale grows.
 *
 * <p>One iteration: {@link #scale}, backward, {@link #unscale} (before clipping), {@link #step},
 * {@link #update}. {@link #step} reads one boolean from the device, as torch's does; the scale
 * itself is kept on the host, where its updates are exact (products of powers of two by default).
 */
public final class DynamicLossScaler implements AutoCloseable {

  private final float growthFactor;
  private final float backoffFactor;
  private final int growthInterval;
  private final NDManager manager;
  private final ScalarOperands scalars;

  private float scale;
  private int growthTracker;
  private NDArray foundInf;
  private Boolean overflowRead;

  /**
   * @param initScale the first scale (torch: 2^16)
   * @param growthFactor the factor after {@code growthInterval} finite steps (torch: 2)
   * @param backoffFactor the factor after a non-finite step (torch: 0.5)
   * @param growthInterval finite steps in a row before growing (torch: 2000)
   * @param parent the manager for the scaler's device scalars
   */
  public DynamicLossScaler(
      float initScale,
      float growthFactor,
      float backoffFactor,
      int growthInterval,
      NDManager parent) {
    if (!(initScale > 0) || Float.isInfinite(initScale)) {
      throw new IllegalArgumentException("init scale must be finite and > 0, got " + initScale);
    }
    if (!(growthFactor > 1)) {
      throw new IllegalArgumentException("growth factor must be > 1, got " + growthFactor);
    }
    if (!(backoffFactor > 0 && backoffFactor < 1)) {
      throw new IllegalArgumentException("backoff factor must be in (0, 1), got " + backoffFactor);
    }
    if (growthInterval < 1) {
      throw new IllegalArgumentException("growth interval must be >= 1, got " + growthInterval);
    }
    this.scale = initScale;
    this.growthFactor = growthFactor;
    this.backoffFactor = backoffFactor;
    this.growthInterval = growthInterval;
    this.manager = parent.newSubManager();
    this.scalars = new ScalarOperands(parent);
  }

  /** torch's defaults: 2^16, x2 every 2000 finite steps, x0.5 on overflow. */
  public static DynamicLossScaler withTorchDefaults(NDManager parent) {
    return new DynamicLossScaler(65536f, 2f, 0.5f, 2000, parent);
  }

  /** The loss times the current scale, to call backward on. */
  public NDArray scale(NDArray loss) {
    return loss.mul(scalars.of(scale));
  }

  /**
   * Divides the gradients by the scale in place and records, on the device, whether any of them is
   * inf or NaN. Call once per iteration, before gradient clipping.
   */
  public void unscale(List<TrainableParameter> params) {
    if (foundInf != null) {
      throw new IllegalStateException(
          "unscale was already called since the last update(); call it once per iteration");
    }
    // torch: inv_scale = scale.double().reciprocal().float()
    float inverse = (float) (1.0 / scale);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray any = null;
      for (TrainableParameter param : params) {
        NDArray gradient = param.gradient();
        NDArray nonFinite = gradient.isNaN().logicalOr(gradient.isInfinite()).any();
        any = any == null ? nonFinite : any.logicalOr(nonFinite.toDevice(any.getDevice(), false));
        gradient.muli(scalars.of(inverse));
      }
      NDArray result = any == null ? manager.create(false) : any;
      NDScope.unregister(result);
      result.attach(manager);
      foundInf = result;
    }
  }

  /**
   * Runs {@code optimizerStep} unless the unscaled gradients hold inf or NaN; unscales first if
   * {@link #unscale} was not called. Reads one boolean from the device.
   *
   * @return whether the optimizer stepped; HF Trainer advances the LR schedule only then
   */
  public boolean step(List<TrainableParameter> params, Runnable optimizerStep) {
    if (foundInf == null) {
      unscale(params);
    }
    overflowRead = foundInf.getBoolean();
    if (overflowRead) {
      return false;
    }
    optimizerStep.run();
    return true;
  }

  /** Adjusts the scale from this iteration's inf check, as {@code torch._amp_update_scale_}. */
  public void update() {
    if (foundInf == null) {
      throw new IllegalStateException(
          "no inf check was recorded; call unscale or step before update");
    }
    boolean overflow = overflowRead != null ? overflowRead : foundInf.getBoolean();
    foundInf.close();
    foundInf = null;
    overflowRead = null;
    if (overflow) {
      scale = (float) ((double) scale * backoffFactor);
      growthTracker = 0;
      return;
    }
    int successful = growthTracker + 1;
    if (successful == growthInterval) {
      float grown = (float) ((double) scale * growthFactor);
      if (Float.isFinite(grown)) {
        scale = grown;
      }
      growthTracker = 0;
    } else {
      growthTracker = successful;
    }
  }

  /** The current scale. */
  public float currentScale() {
    return scale;
  }

  /** The scale and growth tracker, for a checkpoint. */
  public LossScalerState state() {
    return new LossScalerState(scale, growthTracker);
  }

  /** Restores a checkpoint's scale and growth tracker. */
  public void loadState(LossScalerState state) {
    if (!(state.scale() > 0) || Float.isInfinite(state.scale()) || state.growthTracker() < 0) {
      throw new BadInputException(
          "invalid loss scaler state " + state,
          "the checkpoint's scaler state is damaged; resume from another checkpoint");
    }
    scale = state.scale();
    growthTracker = state.growthTracker();
  }

  @Override
  public void close() {
    foundInf = null;
    manager.close();
    scalars.close();
  }
}
