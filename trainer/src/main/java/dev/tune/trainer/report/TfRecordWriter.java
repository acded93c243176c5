package dev.tune.trainer.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Frames records as TFRecord does: the data's length (uint64), a masked CRC-32C of those 8 bytes,
 * the data, a masked CRC-32C of the data; every number little-endian.
 */
final class TfRecordWriter {

  private static final int MASK_DELTA = 0xa282ead8;

  private final OutputStream out;

  TfRecordWriter(OutputStream out) {
    this.out = out;
  }

  void write(byte[] data) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(data.length);
    header.putInt(maskedCrc(header.array(), 0, 8));
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc(data, 0, data.length));
    out.write(header.array());
    out.write(data);
    out.write(footer.array());
  }

  /**
   * TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC of data that
   * itself holds CRCs stays well distributed.
   */
  static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }
}
