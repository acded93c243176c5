package dev.tune.gcp.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.ObjectCheck;
import dev.tune.core.storage.SyncedDownload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * Brings one object to a local file through {@link SyncedDownload}, whose part file it fills with
 * the bytes of exactly the listed generation (so that an object rewritten meanwhile is never
 * spliced); a read that breaks is resumed from where it stopped; the result is checked against the
 * size and the MD5 (or, for composite objects, the CRC32C) that Cloud Storage keeps. The file gets
 * the object's update time, which is how a later fetch knows the file is current.
 */
final class ObjectDownload {
  private static final ObjectCheck CHECK = new ObjectCheck("Cloud Storage");

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
          throw SyncedDownload.connectionBroke(uri, attempt, broken);
        }
      }
    }
  }

  private static void verify(GcsUri uri, GcsObject object, Path file) throws IOException {
    CHECK.size(file, object.size(), uri);
    Base64.Encoder base64 = Base64.getEncoder();
    if (object.md5().isPresent()) {
      String actual = base64.encodeToString(ObjectCheck.md5(file));
      CHECK.checksum("MD5", actual, object.md5().get(), "Cloud Storage", uri);
    } else if (object.crc32c().isPresent()) {
      String actual = base64.encodeToString(ObjectCheck.crc32c(file));
      CHECK.checksum("CRC32C", actual, object.crc32c().get(), "Cloud Storage", uri);
    }
  }
}
