package dev.tune.gcp.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.SyncedDownload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Brings one object to a local file through {@link SyncedDownload}, whose part file it fills with
 * the bytes of exactly the listed generation (so that an object rewritten meanwhile is never
 * spliced); a read that breaks is resumed from where it stopped; the result is checked against the
 * size and the MD5 (or, for composite objects, the CRC32C) that Cloud Storage keeps. The file gets
 * the object's update time, which is how a later fetch knows the file is current.
 */
final class ObjectDownload {
  private final Storage client;
  private final GcsErrors errors;
  private final int resumeAttempts;

  ObjectDownload(Storage client, GcsErrors errors, int resumeAttempts) {
    this.client = client;
    this.errors = errors;
    this.resumeAttempts = resumeAttempts;
  }

  /** Fetches {@code object} (at {@code uri}) to {@code target} unless it is there already. */
  void fetch(GcsUri uri, GcsObject object, Path target, FileProgress progress) throws IOException {
    SyncedDownload.fetch(
        target,
        object.size(),
        object.updated(),
        progress,
        part -> {
          download(uri, object, part, progress);
          verify(uri, object, part);
        });
  }

  private void download(GcsUri uri, GcsObject object, Path temp, FileProgress progress)
      throws IOException {
    BlobId id = BlobId.of(uri.bucket(), object.name(), object.generation());
    for (int attempt = 1; ; attempt++) {
      try (FileChannel out =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        long have = out.size();
        if (have >= object.size() && attempt > 1) {
          return;
        }
        try (ReadChannel in = client.reader(id)) {
          in.seek(have);
          ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
          long done = have;
          while (in.read(buffer) >= 0) {
            buffer.flip();
            while (buffer.hasRemaining()) {
              done += out.write(buffer);
            }
            buffer.clear();
            progress.advanced(done);
          }
          return;
        }
      } catch (StorageException e) {
        throw errors.map(e, "reading", uri);
      } catch (IOException broken) {
        if (broken.getCause() instanceof StorageException e) {
          throw errors.map(e, "reading", uri);
        }
        if (attempt >= resumeAttempts) {
          throw new RemoteFailureException(
              "The connection broke while reading "
                  + uri
                  + ", "
                  + attempt
                  + " times: "
                  + broken.getMessage(),
              "Check the network connection and fetch again.",
              broken);
        }
      }
    }
  }

  private static void verify(GcsUri uri, GcsObject object, Path file) throws IOException {
    long size = Files.size(file);
    if (size != object.size()) {
      throw damaged(uri, size + " bytes arrived but the object has " + object.size());
    }
    if (object.md5().isPresent()) {
      String actual = digest(file, false);
      if (!actual.equals(object.md5().get())) {
        throw damaged(
            uri, "its MD5 is " + actual + " but Cloud Storage says " + object.md5().get());
      }
    } else if (object.crc32c().isPresent()) {
      String actual = digest(file, true);
      if (!actual.equals(object.crc32c().get())) {
        throw damaged(
            uri, "its CRC32C is " + actual + " but Cloud Storage says " + object.crc32c().get());
      }
    }
  }

  /** The file's MD5, or its CRC32C (big-endian), base64 as Cloud Storage writes them. */
  private static String digest(Path file, boolean crc32c) throws IOException {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        if (crc32c) {
          crc.update(buffer, 0, n);
        } else {
          md5.update(buffer, 0, n);
        }
      }
    }
    byte[] sum =
        crc32c ? ByteBuffer.allocate(4).putInt((int) crc.getValue()).array() : md5.digest();
    return Base64.getEncoder().encodeToString(sum);
  }

  private static RemoteFailureException damaged(GcsUri uri, String why) {
    return new RemoteFailureException(
        uri + " arrived damaged: " + why + ". The download was deleted.",
        "Fetch again; if it fails again, something between you and Cloud Storage alters the"
            + " data.");
  }
}
