package dev.tune.trainer.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file opened for reading: the header is parsed and validated at {@link #open}, the
 * tensor bytes stay on disk and are memory-mapped one tensor at a time when asked for, so files
 * larger than 2 GB and models larger than memory are fine. A single tensor must stay under 2 GB
 * (one Java buffer).
 */
public final class SafetensorsFile implements AutoCloseable {

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final SafetensorsHeader header;
  private volatile boolean closed;

  private SafetensorsFile(
      Path path, FileChannel channel, long dataStart, SafetensorsHeader header) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.header = header;
  }

  /**
   * Opens and validates {@code path}. Nothing the header claims is allocated before it has been
   * checked against the file's real size.
   *
   * @throws InvalidSafetensorsException if the file breaks the format
   * @throws UncheckedIOException if it cannot be read
   */
  public static SafetensorsFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open safetensors file " + path, e);
    }
    try {
      long size = channel.size();
      if (size < 8) {
        throw new InvalidSafetensorsException(
            path, "file has " + size + " bytes, fewer than the 8-byte header length");
      }
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, prefix, 0);
      long headerLength = prefix.flip().getLong();
      if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
        throw new InvalidSafetensorsException(
            path,
            "header length "
                + Long.toUnsignedString(headerLength)
                + " exceeds the limit of "
                + SafetensorsHeader.MAX_HEADER_BYTES
                + " bytes");
      }
      if (headerLength > size - 8) {
        throw new InvalidSafetensorsException(
            path,
            "header length "
                + headerLength
                + " runs past the end of the file ("
                + size
                + " bytes)");
      }
      ByteBuffer json = ByteBuffer.allocate((int) headerLength);
      readFully(channel, json, 8);
      long dataStart = 8 + headerLength;
      SafetensorsHeader header = SafetensorsHeader.parse(path, json.array(), size - dataStart);
      return new SafetensorsFile(path, channel, dataStart, header);
    } catch (IOException e) {
      closeQuietly(channel, e);
      throw new UncheckedIOException("cannot read safetensors file " + path, e);
    } catch (RuntimeException e) {
      closeQuietly(channel, e);
      throw e;
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, at);
      if (read < 0) {
        throw new IOException("unexpected end of file at byte " + at);
      }
      at += read;
    }
  }

  private static void closeQuietly(FileChannel channel, Exception cause) {
    try {
      channel.close();
    } catch (IOException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  public Path path() {
    return path;
  }

  /** The {@code __metadata__} map (empty if the file has none). */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** Tensor names in header order. */
  public Set<String> names() {
    return header.tensors().keySet();
  }

  public boolean contains(String name) {
    return header.tensors().containsKey(name);
  }

  /** All tensor entries in header order. */
  public Iterable<TensorInfo> infos() {
    return header.tensors().values();
  }

  /**
   * The entry of tensor {@code name}.
   *
   * @throws IllegalArgumentException if the file has no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo info = header.tensors().get(name);
    if (info == null) {
      throw new IllegalArgumentException(path + " has no tensor '" + name + "'");
    }
    return info;
  }

  /** Offset of the data buffer in the file (8 plus the header length). */
  public long dataStart() {
    return dataStart;
  }

  /**
   * The raw bytes of tensor {@code name}: a read-only little-endian buffer mapped from the file
   * (nothing is read until used).
   */
  public ByteBuffer bytes(String name) {
    TensorInfo info = info(name);
    checkOpen();
    long length = info.byteLength();
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          path
              + ": tensor '"
              + name
              + "' has "
              + length
              + " bytes; tensors over 2 GB cannot be mapped into one buffer");
    }
    if (length == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    }
    try {
      return channel
          .map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), length)
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map tensor '" + name + "' of " + path, e);
    }
  }

  /**
   * Tensor {@code name} as a new array on {@code manager} (and its device), of type {@link
   * SafetensorsDtype#loadedType()}: the file's own type where DJL's PyTorch bridge has it, else
   * widened exactly on the host (BF16 to FLOAT32, for one). The array owns its memory; the file may
   * be closed afterwards.
   */
  public NDArray load(String name, NDManager manager) {
    TensorInfo info = info(name);
    SafetensorsDtype dtype = info.dtype();
    DataType type =
        dtype
            .loadedType()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        path
                            + ": tensor '"
                            + name
                            + "' is "
                            + dtype
                            + ", which no DJL type holds exactly"));
    ByteBuffer raw = bytes(name);
    if (info.numel() == 0) {
      return manager.zeros(info.djlShape(), type);
    }
    if (!dtype.loadsExactly()) {
      // A fresh direct buffer of our own: the array may keep it.
      return manager.create(HostConversion.widen(dtype, raw, info.numel()), info.djlShape(), type);
    }
    if (!manager.getDevice().isGpu()) {
      // On the CPU, DJL wraps a direct buffer without copying; copy out of the read-only mapping.
      try (NDArray mapped = manager.create(raw, info.djlShape(), type)) {
        return mapped.duplicate();
      }
    }
    return manager.create(raw, info.djlShape(), type);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(path + " is closed");
    }
  }

  /** Closes the file; buffers mapped before stay valid. */
  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path, e);
    }
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
  }
}
