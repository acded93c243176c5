package dev.tune.gcp.gcs;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.storage.FileProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * Writes one local file to one object through a resumable upload: the client sends it in chunks of
 * {@code chunkSize} bytes and retries a chunk that fails, and the object appears only when the last
 * chunk is in, so a failed upload leaves nothing half-written.
 */
final class ObjectUpload {
  private final Storage client;
  private final GcsErrors errors;
  private final int chunkSize;

  /**
   * @param chunkSize bytes per request of the resumable upload, a multiple of 256 KiB
   */
  ObjectUpload(Storage client, GcsErrors errors, int chunkSize) {
    this.client = client;
    this.errors = errors;
    this.chunkSize = chunkSize;
  }

  void upload(Path file, GcsUri target, FileProgress progress) throws IOException {
    long size = Files.size(file);
    progress.started(0, OptionalLong.of(size));
    BlobInfo info =
        BlobInfo.newBuilder(BlobId.of(target.bucket(), target.object()))
            .setContentType("application/octet-stream")
            .build();
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      try (WriteChannel out = client.writer(info)) {
        out.setChunkSize(chunkSize);
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long sent = 0;
        while (in.read(buffer) >= 0) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            sent += out.write(buffer);
          }
          buffer.clear();
          progress.advanced(sent);
        }
      }
    } catch (StorageException e) {
      throw errors.map(e, "uploading to", target);
    } catch (IOException e) {
      if (e.getCause() instanceof StorageException cause) {
        throw errors.map(cause, "uploading to", target);
      }
      throw e;
    }
    progress.done(size);
  }
}
