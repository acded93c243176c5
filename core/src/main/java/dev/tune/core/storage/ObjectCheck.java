package dev.tune.core.storage;

import dev.tune.core.error.RemoteFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * Checks a file that arrived from an object store against what the store says about the object: its
 * size and a checksum of its content. A mismatch is a {@link RemoteFailureException} that says the
 * download was deleted, which {@link SyncedDownload} makes true by dropping the part file.
 */
public final class ObjectCheck {
  private final String store;

  /**
   * @param store the store as the messages name it, e.g. {@code Cloud Storage}
   */
  public ObjectCheck(String store) {
    this.store = store;
  }

  /**
   * @param source the object's location, for the message
   * @throws RemoteFailureException if {@code file} does not hold {@code expected} bytes
   */
  public void size(Path file, long expected, Object source) throws IOException {
    long size = Files.size(file);
    if (size != expected) {
      throw damaged(source, size + " bytes arrived but the object has " + expected);
    }
  }

  /**
   * @param kind the checksum's name, e.g. {@code MD5}
   * @param keeper what holds {@code expected}, e.g. {@code the ETag}
   * @param source the object's location, for the message
   * @throws RemoteFailureException if {@code actual} is not {@code expected}
   */
  public void checksum(String kind, String actual, String expected, String keeper, Object source) {
    if (!actual.equals(expected)) {
      throw damaged(
          source, "its " + kind + " is " + actual + " but " + keeper + " says " + expected);
    }
  }

  /** The MD5 of the file's content. */
  public static byte[] md5(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
    read(file, digest::update);
    return digest.digest();
  }

  /** The CRC32C of the file's content, big-endian. */
  public static byte[] crc32c(Path file) throws IOException {
    Checksum crc = new CRC32C();
    read(file, crc::update);
    return ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
  }

  private RemoteFailureException damaged(Object source, String why) {
    return new RemoteFailureException(
        source + " arrived damaged: " + why + ". The download was deleted.",
        "Fetch again; if it fails again, something between you and " + store + " alters the data.");
  }

  private interface Sink {
    void update(byte[] bytes, int offset, int length);
  }

  private static void read(Path file, Sink sink) throws IOException {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sink.update(buffer, 0, n);
      }
    }
  }
}
