package dev.tune.trainer.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/** A tensor whose little-endian bytes are already in a buffer (given, or mapped from a file). */
final class BufferTensorSource implements TensorSource {

  private final String name;
  private final SafetensorsDtype dtype;
  private final long[] shape;
  private final ByteBuffer bytes;

  BufferTensorSource(String name, SafetensorsDtype dtype, long[] shape, ByteBuffer bytes) {
    long expected = dtype.byteSize();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' has a negative dimension in " + Arrays.toString(shape));
      }
      expected = Math.multiplyExact(expected, d);
    }
    if (bytes.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' is "
              + dtype
              + " "
              + Arrays.toString(shape)
              + " = "
              + expected
              + " bytes, but "
              + bytes.remaining()
              + " bytes were given");
    }
    this.name = name;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.bytes = bytes.duplicate();
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
    return shape.clone();
  }

  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    ByteBuffer view = bytes.duplicate();
    while (view.hasRemaining()) {
      out.write(view);
    }
  }
}
