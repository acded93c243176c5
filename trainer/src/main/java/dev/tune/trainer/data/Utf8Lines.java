package dev.tune.trainer.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The lines of a file, decoded as strict UTF-8 one line at a time, so that a line that is not UTF-8
 * is reported with its number and the lines after it can still be read. A leading byte-order mark
 * is dropped; lines end at {@code \n} with an optional {@code \r}.
 */
final class Utf8Lines implements Closeable {

  private final Path file;
  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private long number;
  private boolean first = true;

  Utf8Lines(Path file) throws IOException {
    this.file = file;
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  /** The number of the line {@link #next()} returned last, from 1. */
  long number() {
    return number;
  }

  /**
   * The next line without its terminator, or {@code null} at the end of the file.
   *
   * @throws BadRowException if the line is not UTF-8 (the next call reads the line after it)
   */
  String next() {
    line.reset();
    try {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      while (b >= 0 && b != '\n') {
        line.write(b);
        b = in.read();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    number++;
    byte[] bytes = line.toByteArray();
    int start = 0;
    if (first) {
      first = false;
      if (bytes.length >= 3
          && (bytes[0] & 0xff) == 0xEF
          && (bytes[1] & 0xff) == 0xBB
          && (bytes[2] & 0xff) == 0xBF) {
        start = 3;
      }
    }
    int end = bytes.length;
    if (end > start && bytes[end - 1] == '\r') {
      end--;
    }
    try {
      return decoder.decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
    } catch (CharacterCodingException e) {
      String lossy = new String(bytes, start, end - start, StandardCharsets.UTF_8);
      throw new BadRowException(
          new RowOrigin(file, number, number),
          Optional.empty(),
          "the line is not valid UTF-8",
          lossy,
          "Save the file as UTF-8 (for example with iconv -f LATIN1 -t UTF-8).");
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
