package dev.tune.trainer.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Element conversions done on the host for dtypes that DJL's PyTorch bridge cannot hold: exact
 * widening on load (BF16, FP8, I16, U16, U32) and float32 to bfloat16 rounding on save.
 */
final class HostConversion {

  private static final float[] E4M3 = float8Table(4, 3, 7, false);
  private static final float[] E5M2 = float8Table(5, 2, 15, true);

  private HostConversion() {}

  /**
   * Bytes of {@code count} elements of {@code dtype} (little-endian {@code in}) widened to the
   * dtype's {@link SafetensorsDtype#loadedType()}, in a new direct buffer of native order.
   */
  static ByteBuffer widen(SafetensorsDtype dtype, ByteBuffer in, long count) {
    ByteBuffer src = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(count);
    return switch (dtype) {
      case BF16 -> {
        ByteBuffer out = allocate(n, 4);
        for (int i = 0; i < n; i++) {
          out.putInt((src.getShort() & 0xFFFF) << 16);
        }
        yield out.flip();
      }
      case F8_E4M3, F8_E5M2 -> {
        float[] table = dtype == SafetensorsDtype.F8_E4M3 ? E4M3 : E5M2;
        ByteBuffer out = allocate(n, 4);
        for (int i = 0; i < n; i++) {
          out.putFloat(table[src.get() & 0xFF]);
        }
        yield out.flip();
      }
      case I16 -> {
        ByteBuffer out = allocate(n, 4);
        for (int i = 0; i < n; i++) {
          out.putInt(src.getShort());
        }
        yield out.flip();
      }
      case U16 -> {
        ByteBuffer out = allocate(n, 4);
        for (int i = 0; i < n; i++) {
          out.putInt(src.getShort() & 0xFFFF);
        }
        yield out.flip();
      }
      case U32 -> {
        ByteBuffer out = allocate(n, 8);
        for (int i = 0; i < n; i++) {
          out.putLong(src.getInt() & 0xFFFF_FFFFL);
        }
        yield out.flip();
      }
      default -> throw new IllegalArgumentException(dtype + " needs no widening");
    };
  }

  private static ByteBuffer allocate(int count, int width) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(count, width))
        .order(ByteOrder.nativeOrder());
  }

  /** bfloat16 bits of {@code value}, rounded to nearest even like libtorch (NaN becomes 0x7FC0). */
  static short toBfloat16(float value) {
    if (Float.isNaN(value)) {
      return (short) 0x7FC0;
    }
    int bits = Float.floatToRawIntBits(value);
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7FFF + lsb) >>> 16);
  }

  /** The value of bfloat16 bits. */
  static float fromBfloat16(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Value of FP8 code {@code code} (E4M3 or E5M2 variant). */
  static float float8(SafetensorsDtype dtype, int code) {
    return (dtype == SafetensorsDtype.F8_E4M3 ? E4M3 : E5M2)[code & 0xFF];
  }

  /**
   * The 256 values of an 8-bit float with the given field widths and bias. E4M3 ("fn") has no
   * infinity and one NaN pattern per sign (all ones); E5M2 follows IEEE (all-ones exponent is
   * infinity or NaN).
   */
  private static float[] float8Table(int exponentBits, int mantissaBits, int bias, boolean ieee) {
    float[] table = new float[256];
    int maxExponent = (1 << exponentBits) - 1;
    int mantissaMask = (1 << mantissaBits) - 1;
    for (int code = 0; code < 256; code++) {
      int sign = code >> 7;
      int exponent = (code >> mantissaBits) & maxExponent;
      int mantissa = code & mantissaMask;
      float magnitude;
      if (ieee && exponent == maxExponent) {
        magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
      } else if (!ieee && exponent == maxExponent && mantissa == mantissaMask) {
        magnitude = Float.NaN;
      } else if (exponent == 0) {
        magnitude = Math.scalb((float) mantissa, 1 - bias - mantissaBits);
      } else {
        magnitude =
            Math.scalb((float) ((1 << mantissaBits) + mantissa), exponent - bias - mantissaBits);
      }
      table[code] = sign == 1 ? -magnitude : magnitude;
    }
    return table;
  }
}
