package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The per-block absmax of an {@link Nf4Tensor}: kept as fp32, or double-quantized the way
 * bitsandbytes does with {@code bnb_4bit_use_double_quant}.
 */
public sealed interface BlockScales extends AutoCloseable
    permits BlockScales.Plain, BlockScales.DoubleQuantized {

  /** Number of blocks (absmax values). */
  long blocks();

  /** The absmax per block as a new FLOAT32 array of shape [blocks]; the caller owns it. */
  NDArray toFloat32();

  /** Bytes these scales occupy. */
  long storageBytes();

  /** Moves ownership of the arrays to {@code manager}. */
  void attach(NDManager manager);

  @Override
  void close();

  /** One fp32 absmax per block: 4 bytes per block. */
  record Plain(NDArray absmax) implements BlockScales {

    public Plain {
      if (absmax.getDataType() != DataType.FLOAT32 || absmax.getShape().dimension() != 1) {
        throw new IllegalArgumentException(
            "absmax must be a FLOAT32 vector, got "
                + absmax.getDataType().name()
                + " "
                + absmax.getShape());
      }
    }

    @Override
    public long blocks() {
      return absmax.size();
    }

    @Override
    public NDArray toFloat32() {
      return absmax.duplicate();
    }

    @Override
    public long storageBytes() {
      return 4 * absmax.size();
    }

    @Override
    public void attach(NDManager manager) {
      absmax.attach(manager);
    }

    @Override
    public void close() {
      absmax.close();
    }
  }

  /**
   * Double quantization: the absmax vector minus its mean ({@code offset}) quantized blockwise (256
   * per block) with the signed dynamic 8-bit map. One byte per block plus 4 bytes per 256 blocks
   * plus the offset.
   *
   * @param quantized the centred absmax in 8 bits
   * @param offset the mean that was subtracted, added back on dequantization
   */
  record DoubleQuantized(Blockwise8bitTensor quantized, float offset) implements BlockScales {

    @Override
    public long blocks() {
      return quantized.codes().size();
    }

    /** {@code dequantize_blockwise(absmax) + offset}, in fp32 as bitsandbytes does. */
    @Override
    public NDArray toFloat32() {
      try (NDArray centred = quantized.dequantize(DataType.FLOAT32)) {
        return centred.add(offset);
      }
    }

    @Override
    public long storageBytes() {
      return quantized.storageBytes() + Float.BYTES;
    }

    @Override
    public void attach(NDManager manager) {
      quantized.attach(manager);
    }

    @Override
    public void close() {
      quantized.close();
    }
  }
}
