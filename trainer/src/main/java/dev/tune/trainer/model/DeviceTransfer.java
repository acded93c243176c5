package dev.tune.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Copies of activations from one device to another that autograd can see through.
 *
 * <p>DJL 0.36's {@code toDevice} runs libtorch's {@code to()} under a {@code NoGradGuard} (the same
 * JNI call as {@code toType}, see {@link DifferentiableCast}), so a recorded pass that crossed
 * devices with it would leave every module before the crossing without gradients. While recording,
 * the copy is instead made by assigning the whole source into a new array on the destination
 * ({@code dst[...] = src}, which libtorch runs as {@code copy_}): autograd differentiates that like
 * {@code x.to(device)}, sending the gradient back to the source's device. Otherwise it is the plain
 * {@code toDevice}.
 */
public final class DeviceTransfer {

  private static final NDIndex ALL = new NDIndex("...");

  private DeviceTransfer() {}

  /**
   * A new array holding {@code x} on {@code device}, in {@code x}'s manager (which frees it with
   * {@code x}'s other temporaries). Always a copy, even to the device {@code x} is on, so a
   * boundary between two slots of one device is still a node of the graph and the caller may close
   * {@code x}.
   */
  public static NDArray to(NDArray x, Device device) {
    if (!JniUtils.isGradMode()) {
      return x.toDevice(device, true);
    }
    NDArray out = x.getManager().zeros(x.getShape(), x.getDataType(), device);
    out.set(ALL, x);
    return out;
  }
}
