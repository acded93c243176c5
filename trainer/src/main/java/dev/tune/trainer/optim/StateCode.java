package dev.tune.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.quant.Blockwise8bit;
import java.util.HashMap;
import java.util.Map;

/**
 * A bitsandbytes dynamic map as the 8-bit optimizer kernel ({@code
 * kOptimizerStatic8bit2StateBlockwise}) reads and writes it: decode is a table lookup; encode is
 * its {@code quantize_2D}, a binary search over the 256 sorted values that ends in a float midpoint
 * test. The search always ends on an even index, so a value exactly on the midpoint of entries k
 * and k+1 takes the even one of the two. Encoding counts the decision thresholds a value exceeds,
 * with that tie rule folded into the thresholds, in a branch-free search of one gather per bit; NaN
 * exceeds none and takes index 0, as in the kernel.
 *
 * <p>The tables live on each device they are used on, created once, so a step copies nothing from
 * the host.
 */
final class StateCode {

  private static final int BITS = 8;

  private final float[] values;
  private final float[] thresholds;
  private final NDManager owner;
  private final Map<Device, DeviceTables> tables = new HashMap<>();

  StateCode(Blockwise8bit format, NDManager owner) {
    this.values = format.code();
    this.thresholds = new float[values.length - 1];
    for (int k = 0; k < thresholds.length; k++) {
      float midpoint = (values[k] + values[k + 1]) * 0.5f;
      // The index is the number of thresholds strictly below x; at an odd k a tie must round up,
      // and x >= m is x > nextDown(m) for float x.
      thresholds[k] = (k & 1) == 0 ? midpoint : Math.nextDown(midpoint);
    }
    this.owner = owner;
  }

  /** The value of code {@code index}, as the host sees it. */
  float value(int index) {
    return values[index];
  }

  /** FLOAT32 values of INT64 code indices. */
  NDArray decode(NDArray indices) {
    return lookUp(on(indices.getDevice()).values, indices);
  }

  /** {@code table[indices]}; a 1-D gather, which libtorch runs far faster on CPU than take. */
  private static NDArray lookUp(NDArray table, NDArray indices) {
    return table.gather(indices.reshape(-1), 0).reshape(indices.getShape());
  }

  /** INT64 code indices of FLOAT32 values already divided by their block's absmax. */
  NDArray encode(NDArray scaled, ScalarOperands scalars) {
    DeviceTables device = on(scaled.getDevice());
    NDArray flat = scaled.reshape(-1);
    NDArray index = flat.getManager().zeros(flat.getShape(), DataType.INT64, flat.getDevice());
    for (int bit = BITS - 1; bit >= 0; bit--) {
      // thresholdsFrom[bit][i] is thresholds[i + 2^bit - 1]: the threshold that decides this bit
      NDArray above = flat.gt(device.thresholdsFrom[bit].gather(index, 0));
      // bool times an int64 scalar is int64: 0 or 2^bit
      index.addi(above.mul(scalars.ofLong(1L << bit)));
    }
    return index.reshape(scaled.getShape());
  }

  private DeviceTables on(Device device) {
    return tables.computeIfAbsent(device, this::upload);
  }

  private DeviceTables upload(Device device) {
    NDManager deviceOwner = owner.newSubManager(device);
    NDArray valueTable = deviceOwner.create(values);
    NDArray[] shifted = new NDArray[BITS];
    for (int bit = 0; bit < BITS; bit++) {
      int step = 1 << bit;
      float[] from = new float[thresholds.length - (step - 1)];
      System.arraycopy(thresholds, step - 1, from, 0, from.length);
      shifted[bit] = deviceOwner.create(from);
    }
    // Created during a step: keep them out of the step's scope.
    NDScope.unregister(valueTable);
    NDScope.unregister(shifted);
    return new DeviceTables(valueTable, shifted);
  }

  /** The code values and, per bit of the search, the thresholds from that bit's offset on. */
  private static final class DeviceTables {
    final NDArray values;
    final NDArray[] thresholdsFrom;

    DeviceTables(NDArray values, NDArray[] thresholdsFrom) {
      this.values = values;
      this.thresholdsFrom = thresholdsFrom;
    }
  }
}
