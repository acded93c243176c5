package dev.tune.local.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.local.store.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies the events a contract run writes (in the provider's output directory) to the job's {@code
 * events.jsonl}, which the local provider reads for the job's state, whole lines at a time. The
 * {@code done} event is held back until {@link #release()}: the job must not read as succeeded
 * before its outputs have been collected.
 */
final class EventRelay {
  private final Path source;
  private final Path target;
  private long copied;
  private boolean released;

  private EventRelay(Path source, Path target, long copied) {
    this.source = source;
    this.target = target;
    this.copied = copied;
  }

  /**
   * A relay of the events {@code source} gets from now on; what it already holds belongs to an
   * earlier attempt, whose events the job's file already has.
   */
  static EventRelay from(Path source, Path target) {
    try {
      return new EventRelay(source, target, Files.exists(source) ? Files.size(source) : 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
  }

  /** Copies the whole lines written since the last call, up to a held-back {@code done}. */
  synchronized void pump() {
    try {
      if (!Files.exists(source)) {
        return;
      }
      String fresh;
      try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
        long size = in.size();
        if (size <= copied) {
          return;
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(size - copied));
        while (bytes.hasRemaining() && in.read(bytes, copied + bytes.position()) >= 0) {
          // read until the buffer is full
        }
        fresh = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
      }
      StringBuilder out = new StringBuilder();
      int start = 0;
      for (int end = fresh.indexOf('\n'); end >= 0; end = fresh.indexOf('\n', start)) {
        String line = fresh.substring(start, end + 1);
        if (!released && isDone(line)) {
          break;
        }
        out.append(line);
        start = end + 1;
      }
      if (!out.isEmpty()) {
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(target, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        copied += bytes.length;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the events of " + source + " to " + target, e);
    }
  }

  /** Lets the {@code done} event through and copies what is left. */
  synchronized void release() {
    released = true;
    pump();
  }

  private static boolean isDone(String line) {
    try {
      JsonNode event = JsonFiles.parse(line);
      return event.path("type").asText().equals("done");
    } catch (IOException notJson) {
      return false;
    }
  }
}
