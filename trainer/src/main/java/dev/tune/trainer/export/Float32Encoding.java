package dev.tune.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.stream.IntStream;

/**
 * The little-endian bytes of a float32 array in an output dtype. bfloat16 is rounded on the host,
 * since DJL 0.36 cannot hold it: the upper 16 bits of each float, rounded to nearest even as torch
 * does, over plain arrays in parallel chunks so the conversion keeps up with the disk.
 */
final class Float32Encoding {

  private static final int CHUNK = 1 << 16;

  private Float32Encoding() {}

  static ByteBuffer encode(NDArray fp32, SafetensorsDtype dtype) {
    if (fp32.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("expected a float32 array, got " + fp32.getDataType());
    }
    return switch (dtype) {
      case F32 -> fp32.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      case F16 -> {
        try (NDArray half = fp32.toType(DataType.FLOAT16, true)) {
          yield half.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
      }
      case BF16 -> bfloat16(fp32.toFloatArray());
      default -> throw new IllegalArgumentException("not an output dtype: " + dtype);
    };
  }

  static ByteBuffer bfloat16(float[] values) {
    short[] bits = new short[values.length];
    int chunks = (values.length + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c -> {
              int end = Math.min(values.length, (c + 1) * CHUNK);
              for (int i = c * CHUNK; i < end; i++) {
                bits[i] = toBfloat16(values[i]);
              }
            });
    ByteBuffer out =
        ByteBuffer.allocate(Math.multiplyExact(bits.length, 2)).order(ByteOrder.LITTLE_ENDIAN);
    ShortBuffer shorts = out.asShortBuffer();
    shorts.put(bits);
    return out;
  }

  /** The bfloat16 nearest to {@code value}, ties to even; any NaN becomes 0x7FC0, as in torch. */
  static short toBfloat16(float value) {
    int raw = Float.floatToRawIntBits(value);
    if ((raw & 0x7FFF_FFFF) > 0x7F80_0000) {
      return (short) 0x7FC0;
    }
    int roundingBias = 0x7FFF + ((raw >>> 16) & 1);
    return (short) ((raw + roundingBias) >>> 16);
  }
}
