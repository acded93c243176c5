package dev.tune.trainer.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a TensorBoard event file the way TensorBoard does, written apart from the writer: its own
 * bitwise CRC-32C, its own protobuf wire decoding, and a failure on any bad checksum or field.
 */
final class EventFileReader {

  /** One decoded {@code tensorflow.Event}. */
  record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {}

  private EventFileReader() {}

  static List<Event> read(Path file) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (in.hasRemaining()) {
      byte[] lengthBytes = new byte[8];
      in.get(lengthBytes);
      int lengthCrc = in.getInt();
      check(lengthCrc, lengthBytes, "length");
      long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] data = new byte[Math.toIntExact(length)];
      in.get(data);
      check(in.getInt(), data, "data");
      events.add(event(data));
    }
    return events;
  }

  private static void check(int stored, byte[] bytes, String what) {
    int expected = masked(crc32c(bytes));
    if (stored != expected) {
      throw new AssertionError(
          "bad " + what + " CRC: stored " + Integer.toHexString(stored) + ", computed " + expected);
    }
  }

  /** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, one bit at a time. */
  static int crc32c(byte[] bytes) {
    int crc = 0xFFFFFFFF;
    for (byte b : bytes) {
      crc ^= b & 0xFF;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
      }
    }
    return ~crc;
  }

  static int masked(int crc) {
    return Integer.rotateRight(crc, 15) + 0xa282ead8;
  }

  private static Event event(byte[] data) {
    Wire wire = new Wire(data);
    double wallTime = Double.NaN;
    long step = -1;
    String fileVersion = null;
    Map<String, Float> scalars = new LinkedHashMap<>();
    while (wire.more()) {
      long tag = wire.varint();
      switch ((int) tag) {
        case (1 << 3) | 1 -> wallTime = Double.longBitsToDouble(wire.fixed64());
        case (2 << 3) -> step = wire.varint();
        case (3 << 3) | 2 -> fileVersion = new String(wire.bytes(), StandardCharsets.UTF_8);
        case (5 << 3) | 2 -> summary(wire.bytes(), scalars);
        default -> throw new AssertionError("unexpected Event field tag " + tag);
      }
    }
    return new Event(wallTime, step, fileVersion, scalars);
  }

  private static void summary(byte[] data, Map<String, Float> scalars) {
    Wire wire = new Wire(data);
    while (wire.more()) {
      if (wire.varint() != ((1 << 3) | 2)) {
        throw new AssertionError("a Summary holds only values here");
      }
      Wire value = new Wire(wire.bytes());
      String tag = null;
      Float simple = null;
      while (value.more()) {
        long field = value.varint();
        if (field == ((1 << 3) | 2)) {
          tag = new String(value.bytes(), StandardCharsets.UTF_8);
        } else if (field == ((2 << 3) | 5)) {
          simple = Float.intBitsToFloat(value.fixed32());
        } else {
          throw new AssertionError("unexpected Summary.Value field tag " + field);
        }
      }
      if (tag == null || simple == null) {
        throw new AssertionError("a Summary.Value without tag or simple_value");
      }
      scalars.put(tag, simple);
    }
  }

  /** A cursor over protobuf wire bytes. */
  private static final class Wire {
    private final ByteBuffer buffer;

    Wire(byte[] bytes) {
      buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean more() {
      return buffer.hasRemaining();
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = buffer.get();
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new AssertionError("varint longer than 10 bytes");
    }

    long fixed64() {
      return buffer.getLong();
    }

    int fixed32() {
      return buffer.getInt();
    }

    byte[] bytes() {
      byte[] out = new byte[Math.toIntExact(varint())];
      buffer.get(out);
      return out;
    }
  }
}
