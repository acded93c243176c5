package dev.tune.core.storage.hf;

import dev.tune.core.artifact.HfUri;
import dev.tune.core.storage.LocalFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The download cache, laid out as the Hub's own clients lay theirs out, so that one can read the
 * other's:
 *
 * <pre>
 * ROOT/models--ORG--NAME/blobs/ETAG            file contents, named by sha256 (LFS) or git blob id
 * ROOT/models--ORG--NAME/snapshots/COMMIT/PATH relative symbolic links to the blobs
 * ROOT/models--ORG--NAME/refs/REVISION         the commit a branch or tag pointed to last
 * ROOT/.locks/models--ORG--NAME/ETAG.lock
 * </pre>
 *
 * Datasets use {@code datasets--ORG--NAME}. A file that two commits share is stored once.
 */
final class HubCache {
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  private final Path root;

  HubCache(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** The cache of one repository. */
  Repo repo(HfUri uri) {
    String folder =
        (uri.type() == HfUri.RepoType.DATASET ? "datasets--" : "models--")
            + uri.repoId().replace("/", "--");
    return new Repo(root.resolve(folder), root.resolve(".locks").resolve(folder));
  }

  /** The cache of one repository: its blobs, snapshots and refs. */
  record Repo(Path dir, Path locks) {
    Path blob(String blobName) {
      return dir.resolve("blobs").resolve(blobName);
    }

    Path incomplete(String blobName) {
      return dir.resolve("blobs").resolve(blobName + ".incomplete");
    }

    Path lock(String blobName) {
      return locks.resolve(blobName + ".lock");
    }

    Path snapshot(String commit) {
      return dir.resolve("snapshots").resolve(commit);
    }

    /** Where {@code path} of {@code commit} appears; {@code path} must be {@link #safePath}. */
    Path file(String commit, String path) {
      return snapshot(commit).resolve(path);
    }

    /** The commit {@code revision} resolved to last time, or {@code revision} if it is one. */
    Optional<String> commitOf(String revision) throws IOException {
      Path ref = dir.resolve("refs").resolve(revision);
      if (Files.isRegularFile(ref)) {
        String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
        if (COMMIT.matcher(commit).matches()) {
          return Optional.of(commit);
        }
      }
      return COMMIT.matcher(revision).matches() && Files.isDirectory(snapshot(revision))
          ? Optional.of(revision)
          : Optional.empty();
    }

    /** Remembers that {@code revision} points to {@code commit}. */
    void writeRef(String revision, String commit) throws IOException {
      if (!revision.equals(commit)) {
        LocalFiles.writeString(dir.resolve("refs").resolve(revision), commit);
      }
    }

    /**
     * Makes {@code path} of {@code commit} show blob {@code blobName}: a relative symbolic link, or
     * a copy where the file system has none.
     */
    void link(String commit, String path, String blobName) throws IOException {
      Path link = file(commit, path);
      Path blob = blob(blobName);
      Files.createDirectories(link.getParent());
      Path temp = link.resolveSibling("." + link.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        try {
          Files.createSymbolicLink(temp, link.getParent().relativize(blob));
        } catch (UnsupportedOperationException | FileSystemException e) {
          Files.copy(blob, temp);
        }
        LocalFiles.moveInto(temp, link);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * A file name for a blob: the ETag itself when it is a plain id (it always is on the Hub), else
   * its sha256, so that no server can make tune write outside the cache.
   */
  static String blobName(String etag) {
    if (SAFE_NAME.matcher(etag).matches()) {
      return etag;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(etag.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Whether {@code path}, a file name from the Hub, stays inside a snapshot: relative, {@code
   * /}-separated, without empty, {@code .} or {@code ..} segments.
   */
  static boolean safePath(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
