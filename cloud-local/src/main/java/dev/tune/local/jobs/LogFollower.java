package dev.tune.local.jobs;

import dev.tune.core.job.LogLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Reads a log file that another process is still writing, one complete line at a time; a line
 * without its line break yet waits for the next read.
 */
final class LogFollower implements AutoCloseable {
  private final Path file;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private RandomAccessFile in;
  private long position;

  LogFollower(Path file) {
    this.file = file;
  }

  /**
   * Hands every complete line written since the last call to {@code sink}; with {@code last}, also
   * the unfinished one at the end.
   */
  void drain(boolean last, Consumer<LogLine> sink) throws IOException {
    if (in == null) {
      if (!Files.isRegularFile(file)) {
        return;
      }
      in = new RandomAccessFile(file.toFile(), "r");
    }
    long length = in.length();
    if (length > position) {
      in.seek(position);
      byte[] chunk = new byte[(int) Math.min(length - position, 1 << 20)];
      in.readFully(chunk);
      position += chunk.length;
      Instant time = Instant.now();
      for (byte b : chunk) {
        if (b == '\n') {
          emit(time, sink);
        } else {
          partial.write(b);
        }
      }
      if (position < length) {
        drain(last, sink); // more than one chunk was waiting
        return;
      }
    }
    if (last && partial.size() > 0) {
      emit(Instant.now(), sink);
    }
  }

  private void emit(Instant time, Consumer<LogLine> sink) {
    String line = partial.toString(StandardCharsets.UTF_8);
    partial.reset();
    sink.accept(
        new LogLine(time, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line));
  }

  @Override
  public void close() throws IOException {
    if (in != null) {
      in.close();
    }
  }
}
