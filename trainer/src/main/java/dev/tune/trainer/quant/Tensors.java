package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** The few NDArray steps that blockwise quantizers share. */
final class Tensors {

  private Tensors() {}

  /** A FLOAT32 constant on the manager and device of {@code like}. */
  static NDArray constant(float[] values, NDArray like) {
    NDArray onManager = like.getManager().create(values);
    if (onManager.getDevice().equals(like.getDevice())) {
      return onManager;
    }
    try (onManager) {
      return onManager.toDevice(like.getDevice(), true);
    }
  }

  /**
   * {@code 1 / absmax} as a [blocks, 1] column, in float32 like the kernels' {@code 1.0f /
   * local_abs_max} (0 gives infinity, and the block's zeros then encode as NaN, as on the GPU).
   */
  static NDArray reciprocalColumn(NDArray absmax) {
    try (NDArray one = constant(new float[] {1f}, absmax);
        NDArray column = absmax.reshape(-1, 1)) {
      return one.div(column);
    }
  }

  /**
   * Refuses output types that DJL 0.36's PyTorch bridge cannot hold: it maps only FLOAT32, FLOAT64,
   * FLOAT16, UINT8, INT32, INT8, INT64 and BOOLEAN to libtorch, and any other type (BFLOAT16 among
   * them) aborts the whole JVM instead of throwing.
   */
  static void checkOutputType(DataType dtype) {
    switch (dtype) {
      case FLOAT32, FLOAT16, FLOAT64 -> {}
      default ->
          throw new IllegalArgumentException(
              "cannot dequantize to "
                  + dtype.name()
                  + ": use FLOAT32 or FLOAT16 (DJL 0.36's PyTorch engine has no BFLOAT16; a"
                  + " BFLOAT16 array aborts the JVM)");
    }
  }

  static long blocks(long numel, int blocksize) {
    return (numel + blocksize - 1) / blocksize;
  }

  /**
   * The flat FLOAT32 values of {@code array} padded with zeros to whole blocks and viewed as
   * [blocks, blocksize]; the kernels read past-the-end items of the last block as zeros too. The
   * input is left untouched.
   */
  static NDArray asBlocks(NDArray array, int blocksize) {
    if (array.getDataType() == DataType.FLOAT32) {
      // A reshaped handle shares the caller's storage; nothing below writes into it.
      try (NDArray flat = array.reshape(array.size())) {
        return padToBlocks(flat, blocksize);
      }
    }
    try (NDArray copy = array.toType(DataType.FLOAT32, true);
        NDArray flat = copy.reshape(copy.size())) {
      return padToBlocks(flat, blocksize);
    }
  }

  /** A new [blocks, blocksize] handle on a flat array, zero-padded (copied) only if needed. */
  static NDArray padToBlocks(NDArray flat, int blocksize) {
    long numel = flat.size();
    long blocks = blocks(numel, blocksize);
    long pad = blocks * blocksize - numel;
    if (pad == 0) {
      return flat.reshape(blocks, blocksize);
    }
    try (NDArray zeros =
            flat.getManager().zeros(new Shape(pad), flat.getDataType(), flat.getDevice());
        NDArray padded = flat.concat(zeros)) {
      return padded.reshape(blocks, blocksize);
    }
  }

  /**
   * {@code fp32} converted to {@code dtype}; consumes {@code fp32} (returned as is for FLOAT32).
   */
  static NDArray castConsuming(NDArray fp32, DataType dtype) {
    if (dtype == DataType.FLOAT32) {
      return fp32;
    }
    try (fp32) {
      return fp32.toType(dtype, true);
    }
  }

  /** The first {@code numel} entries of a flat array, reshaped; the input is left untouched. */
  static NDArray firstAs(NDArray flat, long numel, Shape shape) {
    if (flat.size() == numel) {
      return flat.reshape(shape);
    }
    try (NDArray head = flat.get(new NDIndex("0:{}", numel))) {
      return head.reshape(shape);
    }
  }
}
