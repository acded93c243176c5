package dev.tune.trainer.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Blockwise 8-bit quantization as bitsandbytes' {@code quantize_blockwise} does it on CUDA: the
 * flattened values are cut into blocks of {@code blocksize}; each block keeps its absmax in fp32
 * and each value the index of the code entry nearest to {@code value * (1 / absmax)} in the {@link
 * DynamicMap}. The signed map serves first moments and double-quantized NF4 constants, the unsigned
 * map second moments.
 *
 * <p>An instance is an immutable format (map and blocksize); the quantized data is a {@link
 * Blockwise8bitTensor}. All work runs as a few whole-tensor operations on the input's device.
 */
public final class Blockwise8bit {

  /** The blocksize of bitsandbytes' 8-bit optimizers and of NF4 double quantization. */
  public static final int DEFAULT_BLOCKSIZE = 256;

  private static final Codebook SIGNED = Codebook.binarySearch(DynamicMap.signed());
  private static final Codebook UNSIGNED = Codebook.binarySearch(DynamicMap.unsigned());

  private final boolean signed;
  private final int blocksize;

  private Blockwise8bit(boolean signed, int blocksize) {
    if (blocksize < 2 || Integer.bitCount(blocksize) != 1) {
      throw new IllegalArgumentException(
          "blocksize must be a power of two >= 2 (bitsandbytes uses 64..4096), got " + blocksize);
    }
    this.signed = signed;
    this.blocksize = blocksize;
  }

  /** Signed dynamic map, blocksize 256. */
  public static Blockwise8bit signed() {
    return new Blockwise8bit(true, DEFAULT_BLOCKSIZE);
  }

  /** Unsigned dynamic map, blocksize 256. */
  public static Blockwise8bit unsigned() {
    return new Blockwise8bit(false, DEFAULT_BLOCKSIZE);
  }

  public static Blockwise8bit signed(int blocksize) {
    return new Blockwise8bit(true, blocksize);
  }

  public static Blockwise8bit unsigned(int blocksize) {
    return new Blockwise8bit(false, blocksize);
  }

  public boolean isSigned() {
    return signed;
  }

  public int blocksize() {
    return blocksize;
  }

  /** The 256 code values this format maps indices to. */
  public float[] code() {
    return codebook().values();
  }

  Codebook codebook() {
    return signed ? SIGNED : UNSIGNED;
  }

  /** Number of absmax values for {@code numel} quantized values. */
  public long blocks(long numel) {
    return Tensors.blocks(numel, blocksize);
  }

  /**
   * Quantizes {@code values} (any floating type, any shape). The codes (UINT8, same shape) and the
   * absmax (FLOAT32, one per block) are attached to the input's manager and device; the input is
   * left as it is.
   */
  public Blockwise8bitTensor quantize(NDArray values) {
    if (!values.getDataType().isFloating()) {
      throw new IllegalArgumentException(
          "blockwise quantization needs a floating array, got " + values.getDataType().name());
    }
    Shape shape = values.getShape();
    long numel = shape.size();
    if (numel == 0) {
      NDManager manager = values.getManager();
      return new Blockwise8bitTensor(
          this,
          manager.zeros(shape, DataType.UINT8, values.getDevice()),
          manager.zeros(new Shape(0), DataType.FLOAT32, values.getDevice()));
    }
    try (NDArray blocks = Tensors.asBlocks(values, blocksize);
        NDArray magnitudes = blocks.abs()) {
      NDArray absmax = magnitudes.max(new int[] {1});
      try (NDArray inverse = Tensors.reciprocalColumn(absmax);
          NDArray scaled = blocks.mul(inverse);
          NDArray blockCodes = codebook().encode(scaled);
          NDArray flatCodes = blockCodes.reshape(-1)) {
        return new Blockwise8bitTensor(this, Tensors.firstAs(flatCodes, numel, shape), absmax);
      }
    }
  }

  /** Quantizes a Java array; the NDArrays are created on {@code manager}. */
  public Blockwise8bitTensor quantize(float[] values, NDManager manager) {
    try (NDArray array = manager.create(values)) {
      return quantize(array);
    }
  }

  /**
   * Values of {@code codes} scaled by their block's absmax, computed in fp32 like the kernels and
   * then cast to {@code dtype}.
   */
  NDArray dequantize(NDArray codes, NDArray absmax, DataType dtype) {
    Tensors.checkOutputType(dtype);
    Shape shape = codes.getShape();
    long numel = shape.size();
    if (numel == 0) {
      return codes.getManager().zeros(shape, dtype, codes.getDevice());
    }
    NDArray fp32;
    try (NDArray flatCodes = codes.reshape(numel);
        NDArray decoded = codebook().decode(flatCodes);
        NDArray blocks = Tensors.padToBlocks(decoded, blocksize);
        NDArray scale = absmax.reshape(-1, 1);
        NDArray scaled = blocks.mul(scale);
        NDArray flat = scaled.reshape(-1)) {
      fp32 = Tensors.firstAs(flat, numel, shape);
    }
    return Tensors.castConsuming(fp32, dtype);
  }

  @Override
  public String toString() {
    return "Blockwise8bit[" + (signed ? "signed" : "unsigned") + ", blocksize=" + blocksize + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Blockwise8bit other
        && signed == other.signed
        && blocksize == other.blocksize;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(signed) * 31 + blocksize;
  }
}
