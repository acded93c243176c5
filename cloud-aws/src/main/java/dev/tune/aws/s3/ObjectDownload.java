package dev.tune.aws.s3;

import dev.tune.core.artifact.S3Uri;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.ObjectCheck;
import dev.tune.core.storage.SyncedDownload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Brings one object to a local file through {@link SyncedDownload}, whose part file it fills: a
 * connection that breaks mid-body is resumed with {@code Range} (and {@code If-Match} on the ETag,
 * so that a changed object is not spliced); the result is checked against the size and, where the
 * ETag is the content's MD5, against it. The file gets the object's last-modified time, which is
 * how a later fetch knows the file is current.
 */
final class ObjectDownload {
  private static final Pattern PLAIN_MD5 = Pattern.compile("[0-9a-f]{32}");
  private static final ObjectCheck CHECK = new ObjectCheck("the store");

  private final S3Client client;
  private final S3Errors errors;
  private final int resumeAttempts;

  ObjectDownload(S3Client client, S3Errors errors, int resumeAttempts) {
    this.client = client;
    this.errors = errors;
    this.resumeAttempts = resumeAttempts;
  }

  /** Fetches {@code object} (at {@code uri}) to {@code target} unless it is there already. */
  void fetch(S3Uri uri, S3Object object, Path target, FileProgress progress) throws IOException {
    SyncedDownload.fetch(
        target,
        object.size(),
        object.lastModified(),
        progress,
        part -> verify(uri, object, part, download(uri, object, part, progress)));
  }

  private GetObjectResponse download(S3Uri uri, S3Object object, Path temp, FileProgress progress)
      throws IOException {
    GetObjectResponse last = null;
    for (int attempt = 1; ; attempt++) {
      long have = Files.exists(temp) ? Files.size(temp) : 0;
      if (last != null && have == object.size()) {
        // Every byte arrived before the connection broke; a range past the end would be refused.
        return last;
      }
      GetObjectRequest.Builder request =
          GetObjectRequest.builder().bucket(uri.bucket()).key(object.key());
      if (have > 0) {
        request.range("bytes=" + have + "-");
        if (!object.eTag().isEmpty()) {
          request.ifMatch("\"" + object.eTag() + "\"");
        }
      }
      ResponseInputStream<GetObjectResponse> in;
      try {
        in = client.getObject(request.build());
        last = in.response();
      } catch (SdkException e) {
        throw errors.map(e, "reading", uri);
      }
      try (in;
          OutputStream out =
              Files.newOutputStream(temp, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        copy(in, out, have, progress);
        return in.response();
      } catch (IOException | SdkException broken) {
        if (attempt >= resumeAttempts) {
          throw SyncedDownload.connectionBroke(uri, attempt, broken);
        }
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long start, FileProgress progress)
      throws IOException {
    byte[] buffer = new byte[1 << 16];
    long done = start;
    int n;
    while ((n = in.read(buffer)) > 0) {
      out.write(buffer, 0, n);
      done += n;
      progress.advanced(done);
    }
  }

  private static void verify(S3Uri uri, S3Object object, Path file, GetObjectResponse response)
      throws IOException {
    CHECK.size(file, object.size(), uri);
    // With KMS encryption, or uploaded in parts, the ETag is no MD5 of the content.
    ServerSideEncryption sse = response.serverSideEncryption();
    boolean md5Tag =
        PLAIN_MD5.matcher(object.eTag()).matches()
            && (sse == null || sse == ServerSideEncryption.AES256);
    if (md5Tag) {
      String actual = HexFormat.of().formatHex(ObjectCheck.md5(file));
      CHECK.checksum("MD5", actual, object.eTag(), "the ETag", uri);
    }
  }
}
