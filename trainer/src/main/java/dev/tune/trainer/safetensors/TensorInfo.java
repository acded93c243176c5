package dev.tune.trainer.safetensors;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry: a tensor's name, element type, shape and byte range in the data buffer (the
 * bytes after the header), {@code [begin, end)}.
 *
 * <p>The shape is an array, as in the format, but never shared: it is copied in and out, and
 * equality, hash code and text compare its contents.
 */
@SuppressWarnings("ArrayRecordComponent") // copied both ways; equals/hashCode/toString use contents
public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' has a negative dimension in " + Arrays.toString(shape));
      }
    }
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' has a bad byte range [" + begin + ", " + end + "]");
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The shape as a DJL {@link Shape}. */
  public Shape djlShape() {
    return new Shape(shape);
  }

  /** Number of elements (1 for a scalar of shape []). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long byteLength() {
    return end - begin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo other
        && name.equals(other.name)
        && dtype == other.dtype
        && Arrays.equals(shape, other.shape)
        && begin == other.begin
        && end == other.end;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
  }

  @Override
  public String toString() {
    return name + ": " + dtype + " " + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")";
  }
}
