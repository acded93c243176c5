package dev.tune.trainer.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/** An NDArray, copied to the host (and converted if asked) only when written. */
final class ArrayTensorSource implements TensorSource {

  private final String name;
  private final NDArray array;
  private final SafetensorsDtype dtype;

  ArrayTensorSource(String name, NDArray array, SafetensorsDtype dtype) {
    DataType type = array.getDataType();
    boolean toBf16 = dtype == SafetensorsDtype.BF16 && type.isFloating();
    if (!sameType(array, dtype) && !toBf16 && !dtype.loadsExactly()) {
      throw new IllegalArgumentException(
          "cannot write tensor '" + name + "' of DJL " + type.name() + " as " + dtype);
    }
    this.name = name;
    this.array = array;
    this.dtype = dtype;
  }

  private static boolean sameType(NDArray array, SafetensorsDtype dtype) {
    return dtype.dataType().map(t -> t == array.getDataType()).orElse(false);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SafetensorsDtype dtype() {
    return dtype;
  }

  @Override
  public long[] shape() {
    return array.getShape().getShape();
  }

  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    if (sameType(array, dtype)) {
      writeAll(out, array.toByteBuffer());
    } else if (dtype == SafetensorsDtype.BF16) {
      writeAll(out, bfloat16Bytes());
    } else {
      try (NDArray converted = array.toType(dtype.dataType().orElseThrow(), true)) {
        writeAll(out, converted.toByteBuffer());
      }
    }
  }

  private ByteBuffer bfloat16Bytes() {
    ByteBuffer floats;
    if (array.getDataType() == DataType.FLOAT32) {
      floats = array.toByteBuffer();
    } else {
      try (NDArray fp32 = array.toType(DataType.FLOAT32, true)) {
        floats = fp32.toByteBuffer();
      }
    }
    floats.order(ByteOrder.nativeOrder());
    int n = floats.remaining() / Float.BYTES;
    ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(n, 2)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out.putShort(HostConversion.toBfloat16(floats.getFloat()));
    }
    return out.flip();
  }

  private static void writeAll(WritableByteChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }
}
