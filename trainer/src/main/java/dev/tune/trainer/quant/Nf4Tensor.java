package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A weight quantized to NF4 the way bitsandbytes' {@code quantize_4bit(quant_type="nf4")} does on
 * CUDA: the flattened weight is cut into blocks of 64, each block scaled by {@code 1 / absmax} in
 * fp32, each value mapped to the NF4 code by the kernel's decision thresholds, two codes per byte
 * with the first value in the high nibble. A last partial block reads its missing values as zeros;
 * an odd count leaves the low nibble of the last byte as the code of 0.
 *
 * <p>Owns its arrays; {@link #close} frees them.
 *
 * @param packed UINT8 vector of {@code ceil(numel / 2)} bytes (bitsandbytes keeps the same bytes in
 *     shape [n, 1])
 * @param scales the absmax per block, plain or double-quantized
 * @param shape the original weight's shape
 * @param blocksize values per absmax (64 unless chosen otherwise)
 */
public record Nf4Tensor(NDArray packed, BlockScales scales, Shape shape, int blocksize)
    implements AutoCloseable {

  /** bitsandbytes' default 4-bit blocksize, the one QLoRA uses. */
  public static final int DEFAULT_BLOCKSIZE = 64;

  /** The blocksize with which double quantization quantizes the absmax vector. */
  public static final int DOUBLE_QUANT_BLOCKSIZE = 256;

  private static final float[] PAIR_TABLE = pairTable();

  public Nf4Tensor {
    if (packed.getDataType() != DataType.UINT8 || packed.getShape().dimension() != 1) {
      throw new IllegalArgumentException(
          "packed codes must be a UINT8 vector, got "
              + packed.getDataType().name()
              + " "
              + packed.getShape());
    }
    long numel = shape.size();
    if (packed.size() != (numel + 1) / 2) {
      throw new IllegalArgumentException(
          shape + " needs " + (numel + 1) / 2 + " packed bytes, got " + packed.size());
    }
    if (scales.blocks() != Tensors.blocks(numel, blocksize)) {
      throw new IllegalArgumentException(
          shape
              + " in blocks of "
              + blocksize
              + " needs "
              + Tensors.blocks(numel, blocksize)
              + " scales, got "
              + scales.blocks());
    }
  }

  /** Quantizes with blocksize 64; see {@link #quantize(NDArray, boolean, int)}. */
  public static Nf4Tensor quantize(NDArray weight, boolean doubleQuant) {
    return quantize(weight, doubleQuant, DEFAULT_BLOCKSIZE);
  }

  /**
   * Quantizes {@code weight} (any floating type and shape; left untouched). The result lives on the
   * weight's manager and device: quantize on the GPU by moving the weight there first.
   *
   * @param doubleQuant also quantize the absmax vector ({@code bnb_4bit_use_double_quant})
   */
  public static Nf4Tensor quantize(NDArray weight, boolean doubleQuant, int blocksize) {
    if (!weight.getDataType().isFloating()) {
      throw new IllegalArgumentException(
          "NF4 quantization needs a floating weight, got " + weight.getDataType().name());
    }
    if (blocksize < 2 || Integer.bitCount(blocksize) != 1) {
      throw new IllegalArgumentException(
          "blocksize must be a power of two >= 2 (bitsandbytes uses 64..4096), got " + blocksize);
    }
    Shape shape = weight.getShape();
    long numel = shape.size();
    if (numel == 0) {
      throw new IllegalArgumentException("cannot quantize an empty weight of shape " + shape);
    }
    NDArray absmax;
    NDArray packed;
    try (NDArray blocks = Tensors.asBlocks(weight, blocksize);
        NDArray magnitudes = blocks.abs()) {
      absmax = magnitudes.max(new int[] {1});
      try (NDArray inverse = Tensors.reciprocalColumn(absmax);
          NDArray scaled = blocks.mul(inverse);
          NDArray codes = Nf4.CODEBOOK.encode(scaled);
          NDArray pairs = codes.reshape(-1, 2);
          NDArray high = pairs.get(":, 0");
          NDArray low = pairs.get(":, 1");
          NDArray shifted = high.mul(16);
          NDArray bytes = shifted.add(low)) {
        packed = Tensors.firstAs(bytes, (numel + 1) / 2, new Shape((numel + 1) / 2));
      }
    }
    BlockScales scales = doubleQuant ? doubleQuantize(absmax) : new BlockScales.Plain(absmax);
    return new Nf4Tensor(packed, scales, shape, blocksize);
  }

  private static BlockScales doubleQuantize(NDArray absmax) {
    try (absmax;
        NDArray mean = absmax.mean()) {
      float offset = mean.getFloat();
      try (NDArray centred = absmax.sub(offset)) {
        return new BlockScales.DoubleQuantized(
            Blockwise8bit.signed(DOUBLE_QUANT_BLOCKSIZE).quantize(centred), offset);
      }
    }
  }

  public long numel() {
    return shape.size();
  }

  public boolean isDoubleQuantized() {
    return scales instanceof BlockScales.DoubleQuantized;
  }

  /**
   * The weight back in {@code computeDtype} (FLOAT32 or FLOAT16): {@code code[q] * absmax} in fp32,
   * then cast, as the kernel does. The caller owns the result, which sits on the packed codes'
   * manager; see {@link #dequantize(DataType, NDManager)} to attach it elsewhere.
   */
  public NDArray dequantize(DataType computeDtype) {
    Tensors.checkOutputType(computeDtype);
    long numel = numel();
    long blocks = scales.blocks();
    NDArray fp32;
    try (NDArray absmax = scales.toFloat32();
        NDArray column = absmax.reshape(blocks, 1);
        NDArray table = Tensors.constant(PAIR_TABLE, packed);
        NDArray pairTable = table.reshape(256, 2);
        NDArray index = packed.toType(DataType.INT64, true);
        NDArray pairs = pairTable.get(index);
        NDArray flat = pairs.reshape(-1);
        NDArray values = Tensors.padToBlocks(flat, blocksize);
        NDArray scaled = values.mul(column);
        NDArray flatScaled = scaled.reshape(-1)) {
      fp32 = Tensors.firstAs(flatScaled, numel, shape);
    }
    return Tensors.castConsuming(fp32, computeDtype);
  }

  /** {@link #dequantize(DataType)} with the result attached to {@code manager}. */
  public NDArray dequantize(DataType computeDtype, NDManager manager) {
    NDArray weight = dequantize(computeDtype);
    weight.attach(manager);
    return weight;
  }

  /** Bytes held: half a byte per value (rounded up) plus the scales. */
  public long storageBytes() {
    return packed.size() + scales.storageBytes();
  }

  /** Storage bytes per quantized value: about 0.516 with double quantization, 0.5625 without. */
  public double bytesPerParameter() {
    return (double) storageBytes() / numel();
  }

  /**
   * Bytes a weight of {@code numel} values will take once quantized, without quantizing it (for
   * memory planning).
   */
  public static long storageBytes(long numel, int blocksize, boolean doubleQuant) {
    long blocks = Tensors.blocks(numel, blocksize);
    long scales =
        doubleQuant
            ? blocks + 4 * Tensors.blocks(blocks, DOUBLE_QUANT_BLOCKSIZE) + Float.BYTES
            : 4 * blocks;
    return (numel + 1) / 2 + scales;
  }

  /** Moves ownership of all arrays to {@code manager}. */
  public void attach(NDManager manager) {
    packed.attach(manager);
    scales.attach(manager);
  }

  @Override
  public void close() {
    packed.close();
    scales.close();
  }

  /** For each byte value, the NF4 values of its high and low nibble. */
  private static float[] pairTable() {
    float[] codes = Nf4.codes();
    float[] table = new float[512];
    for (int b = 0; b < 256; b++) {
      table[2 * b] = codes[b >> 4];
      table[2 * b + 1] = codes[b & 0x0F];
    }
    return table;
  }
}
