package dev.tune.aws.s3;

import dev.tune.core.artifact.S3Uri;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.Transfers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Writes one local file to one object: in a single request up to the multipart threshold, above it
 * as a multipart upload whose parts go several at once. A multipart upload that fails is aborted,
 * so that no half-written object and no billed orphan parts remain; S3 shows the object only once
 * it is complete either way.
 */
final class ObjectUpload {
  private final S3Client client;
  private final S3Errors errors;
  private final long multipartThreshold;
  private final long partSize;
  private final int partParallelism;

  /**
   * @param multipartThreshold files larger than this many bytes are uploaded in parts
   * @param partSize bytes per part, at least 5 MiB on AWS (the last part may be smaller)
   * @param partParallelism how many parts of one file move at once
   */
  ObjectUpload(
      S3Client client,
      S3Errors errors,
      long multipartThreshold,
      long partSize,
      int partParallelism) {
    this.client = client;
    this.errors = errors;
    this.multipartThreshold = multipartThreshold;
    this.partSize = partSize;
    this.partParallelism = partParallelism;
  }

  void upload(Path file, S3Uri target, FileProgress progress) throws IOException {
    long size = Files.size(file);
    progress.started(0, OptionalLong.of(size));
    if (size <= multipartThreshold) {
      try {
        client.putObject(
            b -> b.bucket(target.bucket()).key(target.key()), RequestBody.fromFile(file));
      } catch (SdkException e) {
        throw errors.map(e, "uploading to", target);
      }
    } else {
      uploadInParts(file, size, target, progress);
    }
    progress.done(size);
  }

  private void uploadInParts(Path file, long size, S3Uri target, FileProgress progress) {
    String uploadId;
    try {
      uploadId =
          client.createMultipartUpload(b -> b.bucket(target.bucket()).key(target.key())).uploadId();
    } catch (SdkException e) {
      throw errors.map(e, "uploading to", target);
    }
    try {
      int count = (int) ((size + partSize - 1) / partSize);
      CompletedPart[] parts = new CompletedPart[count];
      long[] sent = {0};
      List<Runnable> tasks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int number = i + 1;
        long offset = i * partSize;
        long length = Math.min(partSize, size - offset);
        tasks.add(
            () -> {
              String eTag = uploadPart(file, target, uploadId, number, offset, length);
              parts[number - 1] = CompletedPart.builder().partNumber(number).eTag(eTag).build();
              synchronized (sent) {
                sent[0] += length;
                progress.advanced(sent[0]);
              }
            });
      }
      Transfers.runAll(tasks, partParallelism, "uploading " + file + " to " + target);
      client.completeMultipartUpload(
          b ->
              b.bucket(target.bucket())
                  .key(target.key())
                  .uploadId(uploadId)
                  .multipartUpload(m -> m.parts(parts)));
    } catch (RuntimeException e) {
      abort(target, uploadId, e);
      throw e instanceof SdkException sdk ? errors.map(sdk, "uploading to", target) : e;
    }
  }

  private String uploadPart(
      Path file, S3Uri target, String uploadId, int number, long offset, long length) {
    try {
      return client
          .uploadPart(
              b ->
                  b.bucket(target.bucket())
                      .key(target.key())
                      .uploadId(uploadId)
                      .partNumber(number)
                      .contentLength(length),
              RequestBody.fromContentProvider(
                  new FileSlice(file, offset, length), length, "application/octet-stream"))
          .eTag();
    } catch (SdkException e) {
      throw errors.map(e, "uploading part " + number + " to", target);
    }
  }

  private void abort(S3Uri target, String uploadId, RuntimeException failure) {
    try {
      client.abortMultipartUpload(
          b -> b.bucket(target.bucket()).key(target.key()).uploadId(uploadId));
    } catch (SdkException e) {
      failure.addSuppressed(e);
    }
  }
}
