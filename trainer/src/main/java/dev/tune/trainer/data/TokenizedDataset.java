package dev.tune.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.RandomAccess;

/**
 * The examples of one pass, spilled to a file so that a trainer can shuffle and index them without
 * holding them: the heap keeps one offset per example (8 bytes), the file 16 bytes per token (ids,
 * labels, positions and sequence ids as 32-bit ints), and {@link #get(int)} reads one example back.
 * The file is deleted on {@link #close()}.
 */
public final class TokenizedDataset extends AbstractList<TokenizedExample>
    implements RandomAccess, AutoCloseable {

  private static final int BYTES_PER_TOKEN = 16;

  private final Path file;
  private final FileChannel channel;
  private final long[] offsets;
  private final int size;

  private TokenizedDataset(Path file, FileChannel channel, long[] offsets, int size) {
    this.file = file;
    this.channel = channel;
    this.offsets = offsets;
    this.size = size;
  }

  /**
   * Writes the examples to {@code file} (created, or replaced) and opens it for reading.
   *
   * @param examples one pass, e.g. {@code pipeline.train().iterator()}; its report then tells what
   *     the pass kept and skipped
   */
  public static TokenizedDataset write(Iterator<TokenizedExample> examples, Path file) {
    long[] offsets = new long[1024];
    int count = 0;
    long at = 0;
    try {
      FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      try {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        while (examples.hasNext()) {
          TokenizedExample e = examples.next();
          if (count + 1 == offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
          }
          offsets[count++] = at;
          int bytes = e.length() * BYTES_PER_TOKEN;
          if (buffer.remaining() < bytes) {
            drain(channel, buffer);
            if (buffer.capacity() < bytes) {
              buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            }
          }
          put(buffer, e);
          at += bytes;
        }
        drain(channel, buffer);
        offsets[count] = at;
        return new TokenizedDataset(file, channel, offsets, count);
      } catch (RuntimeException | IOException e) {
        channel.close();
        Files.deleteIfExists(file);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void put(ByteBuffer buffer, TokenizedExample e) {
    for (long id : e.inputIds()) {
      buffer.putInt(Math.toIntExact(id));
    }
    for (long label : e.labels()) {
      buffer.putInt(Math.toIntExact(label));
    }
    for (int p : e.positionIds()) {
      buffer.putInt(p);
    }
    for (int s : e.sequenceIds()) {
      buffer.putInt(s);
    }
  }

  private static void drain(FileChannel channel, ByteBuffer buffer) throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  @Override
  public TokenizedExample get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("example " + index + " of " + size);
    }
    int bytes = (int) (offsets[index + 1] - offsets[index]);
    int n = bytes / BYTES_PER_TOKEN;
    ByteBuffer buffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      long position = offsets[index];
      while (buffer.hasRemaining()) {
        int read = channel.read(buffer, position + buffer.position());
        if (read < 0) {
          throw new IOException("unexpected end of file");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    buffer.flip();
    long[] ids = new long[n];
    long[] labels = new long[n];
    int[] positions = new int[n];
    int[] sequences = new int[n];
    for (int t = 0; t < n; t++) {
      ids[t] = buffer.getInt();
    }
    for (int t = 0; t < n; t++) {
      labels[t] = buffer.getInt();
    }
    for (int t = 0; t < n; t++) {
      positions[t] = buffer.getInt();
    }
    for (int t = 0; t < n; t++) {
      sequences[t] = buffer.getInt();
    }
    return new TokenizedExample(ids, labels, positions, sequences);
  }

  @Override
  public int size() {
    return size;
  }

  /** Tokens of all examples. */
  public long tokens() {
    return offsets[size] / BYTES_PER_TOKEN;
  }

  /** Closes and deletes the file. */
  @Override
  public void close() {
    try {
      channel.close();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}
