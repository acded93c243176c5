package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Values quantized by {@link Blockwise8bit}: one UINT8 code per value (in the values' shape) and
 * one FLOAT32 absmax per block. Owns both arrays; {@link #close} frees them.
 *
 * @param format the map and blocksize that produced the codes
 * @param codes UINT8 code indices, in the shape of the quantized values
 * @param absmax FLOAT32 absmax per block, shape [blocks]
 */
public record Blockwise8bitTensor(Blockwise8bit format, NDArray codes, NDArray absmax)
    implements AutoCloseable {

  public Blockwise8bitTensor {
    if (codes.getDataType() != DataType.UINT8) {
      throw new IllegalArgumentException("codes must be UINT8, got " + codes.getDataType().name());
    }
    if (absmax.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "absmax must be FLOAT32, got " + absmax.getDataType().name());
    }
    long expected = format.blocks(codes.size());
    if (absmax.getShape().dimension() != 1 || absmax.size() != expected) {
      throw new IllegalArgumentException(
          codes.size()
              + " codes in blocks of "
              + format.blocksize()
              + " need absmax of shape ["
              + expected
              + "], got "
              + absmax.getShape());
    }
  }

  /** The shape of the quantized values. */
  public Shape shape() {
    return codes.getShape();
  }

  /** The values back, computed in fp32 and cast to {@code dtype}, on the codes' manager. */
  public NDArray dequantize(DataType dtype) {
    return format.dequantize(codes, absmax, dtype);
  }

  /** Bytes held: one per code plus four per block. */
  public long storageBytes() {
    return codes.size() + 4 * absmax.size();
  }

  /** Moves ownership of both arrays to {@code manager}. */
  public void attach(NDManager manager) {
    codes.attach(manager);
    absmax.attach(manager);
  }

  @Override
  public void close() {
    codes.close();
    absmax.close();
  }
}
