package dev.tune.trainer.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A named tensor to be written by {@link SafetensorsWriter}: its element type, shape and a way to
 * stream its bytes. The bytes are produced only when written, one tensor at a time.
 */
public interface TensorSource {

  String name();

  SafetensorsDtype dtype();

  /** The shape (a copy). */
  long[] shape();

  /** Bytes this tensor takes in the file: elements times element size. */
  default long byteLength() {
    long n = dtype().byteSize();
    for (long d : shape()) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Writes exactly {@link #byteLength()} little-endian bytes to {@code out}. */
  void writeTo(WritableByteChannel out) throws IOException;

  /** An NDArray written in its own type (see {@link SafetensorsDtype#of(DataType)}). */
  static TensorSource of(String name, NDArray array) {
    return of(name, array, SafetensorsDtype.of(array.getDataType()));
  }

  /**
   * An NDArray written as {@code dtype}: its own type, another type DJL converts to, or BF16 (the
   * usual type of Hugging Face checkpoints, which DJL 0.36 cannot hold), rounded on the host to
   * nearest even from the array's float32 values.
   */
  static TensorSource of(String name, NDArray array, SafetensorsDtype dtype) {
    return new ArrayTensorSource(name, array, dtype);
  }

  /** Raw little-endian bytes (from position to limit) of a tensor of {@code dtype} and shape. */
  static TensorSource of(String name, SafetensorsDtype dtype, long[] shape, ByteBuffer bytes) {
    return new BufferTensorSource(name, dtype, shape.clone(), bytes.duplicate());
  }

  /** A tensor of a file being read, copied byte for byte (for re-sharding or re-saving). */
  static TensorSource copyOf(SafetensorsFile file, String name) {
    TensorInfo info = file.info(name);
    return new BufferTensorSource(name, info.dtype(), info.shape(), file.bytes(name));
  }

  /** {@link #copyOf(SafetensorsFile, String)} for a tensor of a checkpoint. */
  static TensorSource copyOf(CheckpointReader checkpoint, String name) {
    TensorInfo info = checkpoint.info(name);
    return new BufferTensorSource(name, info.dtype(), info.shape(), checkpoint.bytes(name));
  }
}
