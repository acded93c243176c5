package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

/**
 * The boundary copy while recording is a graph node of its own: a copy, not an alias, through which
 * the gradient reaches the source. Across two real devices only {@code MultiGpuPlacementTest} can
 * show it; here the destination is the CPU the source is on.
 */
class DeviceTransferTest {

  @Test
  void recordedTransferIsACopyThatPassesTheGradientBack() {
    try (NDManager m = NDManager.newBaseManager()) {
      boolean before = JniUtils.isGradMode();
      JniUtils.setGradMode(true);
      try {
        NDArray x = m.create(new float[] {1, 2, 3});
        x.setRequiresGradient(true);
        NDArray moved = DeviceTransfer.to(x, Device.cpu());
        NDArray weights = m.create(new float[] {5, 7, 11});
        NDArray loss = moved.mul(weights).sum();
        JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);

        assertThat(x.getGradient().toFloatArray()).containsExactly(5, 7, 11);
        NDArray constant = m.create(new float[] {1, 2, 3});
        NDArray copy = DeviceTransfer.to(constant, Device.cpu());
        copy.addi(weights);
        assertThat(constant.toFloatArray())
            .as("the source is not aliased")
            .containsExactly(1, 2, 3);
      } finally {
        JniUtils.setGradMode(before);
      }
    }
  }

  @Test
  void unrecordedTransferKeepsTheValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      boolean before = JniUtils.isGradMode();
      JniUtils.setGradMode(false);
      try {
        NDArray x = m.create(new float[] {1, 2, 3});
        NDArray moved = DeviceTransfer.to(x, Device.cpu());
        assertThat(moved.getDevice()).isEqualTo(Device.cpu());
        assertThat(moved.toFloatArray()).containsExactly(1, 2, 3);
      } finally {
        JniUtils.setGradMode(before);
      }
    }
  }
}
