package dev.tune.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Scalars for element-wise ops, as 0-dim CPU float tensors.
 *
 * <p>DJL turns {@code array.mul(0.9f)} into a new tensor on the array's device, which on a GPU is a
 * host-to-device copy that blocks the stream. libtorch takes a 0-dim CPU tensor as a kernel
 * argument instead, as it does with Python numbers, so the step's queue keeps flowing. The value is
 * used at fp32, as torch uses a Python float against fp32/bf16/fp16 tensors.
 */
final class ScalarOperands implements AutoCloseable {

  private final NDManager host;

  ScalarOperands(NDManager parent) {
    this.host = parent.newSubManager(Device.cpu());
  }

  /** A 0-dim fp32 CPU tensor; closed with the enclosing {@code NDScope} or with this object. */
  NDArray of(float value) {
    return host.create(value);
  }

  /** A 0-dim int64 CPU tensor, for index arithmetic. */
  NDArray ofLong(long value) {
    return host.create(value);
  }

  @Override
  public void close() {
    host.close();
  }
}
