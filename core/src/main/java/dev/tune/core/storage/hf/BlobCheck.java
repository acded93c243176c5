package dev.tune.core.storage.hf;

import dev.tune.core.error.RemoteFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Checks a downloaded file against the id the Hub gave for it: the sha256 of the content for LFS
 * files ({@code X-Linked-Etag}), the git blob id (sha1 of {@code "blob SIZE\0"} and the content)
 * for the others. An id of another form (a mirror's own) is not checked.
 */
final class BlobCheck {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");

  private BlobCheck() {}

  /**
   * @throws RemoteFailureException naming {@code what} if the content does not match {@code etag}
   */
  static void verify(Path file, String etag, String what) throws IOException {
    String actual;
    String kind;
    if (SHA256.matcher(etag).matches()) {
      kind = "sha256";
      actual = digest(file, "SHA-256", new byte[0]);
    } else if (GIT_SHA1.matcher(etag).matches()) {
      kind = "git blob id";
      byte[] header = ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII);
      actual = digest(file, "SHA-1", header);
    } else {
      return;
    }
    if (!actual.equals(etag)) {
      throw new RemoteFailureException(
          what
              + " arrived damaged: its "
              + kind
              + " is "
              + actual
              + " but the Hub says "
              + etag
              + ". The download was deleted.",
          "Fetch again; if it fails again, a proxy or mirror between you and the Hub alters the"
              + " file.");
    }
  }

  private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has " + algorithm, e);
    }
    digest.update(prefix);
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
