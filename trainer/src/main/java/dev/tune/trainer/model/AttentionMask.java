package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The additive attention mask of one forward pass, {@code [batch, 1, query, key]}: 0 where a query
 * may attend, the dtype's lowest value where it may not (as transformers' eager path does, so a
 * fully masked padding row stays finite).
 *
 * <p>Query {@code i} sits at cache slot {@code past + i} and may attend key slot {@code j} when
 * {@code j <= past + i} (causal), {@code j > past + i - window} (Mistral's sliding window, as
 * transformers' {@code sliding_window_overlay}), the padding mask keeps slot {@code j} and, for
 * packed rows, slot {@code j} holds the same sample as slot {@code past + i} (block-diagonal).
 */
public final class AttentionMask {

  private AttentionMask() {}

  /**
   * @param paddingMask {@code [batch, past + query]}, nonzero for real tokens; empty when no token
   *     is padding
   */
  public static NDArray build(
      NDManager manager,
      int batch,
      int query,
      int past,
      Optional<NDArray> paddingMask,
      OptionalInt slidingWindow,
      DataType dtype) {
    return build(manager, batch, query, past, paddingMask, Optional.empty(), slidingWindow, dtype);
  }

  /**
   * @param paddingMask {@code [batch, past + query]}, nonzero for real tokens; empty when no token
   *     is padding
   * @param sequenceIds {@code [batch, past + query]}, the sample each slot belongs to in a packed
   *     row; a query sees only keys of its own sample. Empty when each row is one sample
   */
  public static NDArray build(
      NDManager manager,
      int batch,
      int query,
      int past,
      Optional<NDArray> paddingMask,
      Optional<NDArray> sequenceIds,
      OptionalInt slidingWindow,
      DataType dtype) {
    int keys = past + query;
    NDArray keySlots = manager.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
    NDArray querySlots = manager.arange(past, keys, 1, DataType.INT64).reshape(query, 1);
    NDArray allowed = keySlots.lte(querySlots);
    if (slidingWindow.isPresent()) {
      allowed = allowed.logicalAnd(keySlots.gt(querySlots.sub(slidingWindow.getAsInt())));
    }
    allowed = allowed.reshape(1, 1, query, keys);
    if (paddingMask.isPresent()) {
      NDArray padding = paddingMask.get();
      Shape expected = new Shape(batch, keys);
      if (!padding.getShape().equals(expected)) {
        throw new IllegalArgumentException(
            "attention mask has shape "
                + padding.getShape()
                + ", expected "
                + expected
                + " (batch, cached + new tokens)");
      }
      NDArray keep = padding.toDevice(manager.getDevice(), false).neq(0).reshape(batch, 1, 1, keys);
      allowed = allowed.logicalAnd(keep);
    } else {
      allowed = allowed.broadcast(batch, 1, query, keys);
    }
    if (sequenceIds.isPresent()) {
      NDArray ids = sequenceIds.get();
      Shape expected = new Shape(batch, keys);
      if (!ids.getShape().equals(expected)) {
        throw new IllegalArgumentException(
            "sequence ids have shape "
                + ids.getShape()
                + ", expected "
                + expected
                + " (batch, cached + new tokens)");
      }
      NDArray onDevice = ids.toDevice(manager.getDevice(), false).toType(DataType.INT64, false);
      NDArray keyIds = onDevice.reshape(batch, 1, 1, keys);
      NDArray queryIds = onDevice.get(":, {}:", past).reshape(batch, 1, query, 1);
      allowed = allowed.logicalAnd(queryIds.eq(keyIds));
    }
    // (allowed - 1) * -lowest: 0 where open, lowest where blocked.
    return allowed.toType(dtype, false).sub(1).mul(-lowest(dtype));
  }

  /** {@code torch.finfo(dtype).min}. */
  static float lowest(DataType dtype) {
    return switch (dtype) {
      case FLOAT16 -> -65504.0f;
      case BFLOAT16 ->
          -Float.intBitsToFloat(0x7F7F0000); // bfloat16 max: float32 max, 7-bit mantissa
      case FLOAT32 -> -Float.MAX_VALUE;
      default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
    };
  }
}
