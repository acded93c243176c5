package dev.tune.core.storage.https;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.HttpsUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.FileLocks;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.storage.StorageBackend;
import dev.tune.core.storage.StoredFile;
import dev.tune.core.storage.http.HttpBackendBuilder;
import dev.tune.core.storage.http.HttpErrorMapper;
import dev.tune.core.storage.http.HttpTransfer;
import dev.tune.core.storage.http.HttpTransfer.Call;
import dev.tune.core.storage.http.HttpTransfer.Download;
import dev.tune.core.storage.http.HttpTransfer.Downloaded;
import dev.tune.core.storage.http.HttpTransfer.Head;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Single files served over HTTPS, read-only. Each URL has a cache entry ({@code
 * CACHE/SHA256(URL)/NAME}); a second fetch asks the server with {@code If-None-Match} and moves
 * nothing when the file did not change, and a broken download resumes with {@code Range} and {@code
 * If-Range}. No credential is ever sent: signed URLs carry their own.
 */
public final class HttpsStorageBackend implements StorageBackend {
  private final Path cacheDir;
  private final Supplier<HttpTransfer> transfer;

  /** Caches in {@code ~/.cache/tune/https}, with the default client and retries. */
  public HttpsStorageBackend() {
    this(builder());
  }

  private HttpsStorageBackend(Builder b) {
    this.cacheDir = b.cacheDir.toAbsolutePath().normalize();
    this.transfer = b.transfer();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Set<String> schemes() {
    return Set.of("https");
  }

  /** Where the cache lives. */
  public Path cacheDir() {
    return cacheDir;
  }

  @Override
  public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
    HttpsUri uri = httpsUri(source);
    Path entry = cacheDir.resolve(sha256Hex(uri.toString()));
    String name = fileName(uri);
    Path cached = entry.resolve(name);
    FileProgress progress = new FileProgress(uri, listener);
    try {
      FileLocks.withLock(entry.resolve("lock"), () -> download(uri, entry, name, progress));
      if (options.destination().isEmpty()) {
        return cached;
      }
      Path target = options.destination().get().resolve(name);
      LocalFiles.linkOrCopy(cached, target);
      return target;
    } catch (IOException e) {
      throw LocalFiles.failure("storing " + uri + " in " + entry, e);
    }
  }

  private Void download(HttpsUri uri, Path entry, String name, FileProgress progress)
      throws IOException {
    Path cached = entry.resolve(name);
    Path etagFile = entry.resolve("etag");
    Path incomplete = entry.resolve(name + ".incomplete");
    Optional<String> cachedEtag =
        Files.exists(cached) && Files.exists(etagFile)
            ? Optional.of(Files.readString(etagFile).strip()).filter(t -> !t.isEmpty())
            : Optional.empty();
    Downloaded got =
        transfer
            .get()
            .download(
                call("downloading " + uri, uri),
                new Download(
                    incomplete,
                    OptionalLong.empty(),
                    Optional.of(entry.resolve("incomplete.etag")),
                    cachedEtag),
                progress);
    if (got.notModified()) {
      progress.cached(Files.size(cached));
    } else {
      LocalFiles.moveInto(incomplete, cached);
      Files.deleteIfExists(entry.resolve("incomplete.etag"));
      if (got.etag().isPresent() && !got.etag().get().startsWith("W/")) {
        LocalFiles.writeString(etagFile, got.etag().get());
      } else {
        Files.deleteIfExists(etagFile);
      }
      progress.done(got.size());
    }
    return null;
  }

  /** The URL's one file, with the size the server announces. */
  @Override
  public List<StoredFile> list(ArtifactUri location) {
    HttpsUri uri = httpsUri(location);
    Head head = transfer.get().head(call("looking up " + uri, uri));
    OptionalLong size = head.headers().firstValueAsLong("Content-Length");
    return List.of(new StoredFile(fileName(uri), size));
  }

  private static Call call(String what, HttpsUri uri) {
    return new Call(what, uri.uri(), Optional.empty(), HttpErrorMapper.plain());
  }

  private static HttpsUri httpsUri(ArtifactUri uri) {
    if (uri instanceof HttpsUri https) {
      return https;
    }
    throw new IllegalArgumentException("not an https:// URI: " + uri);
  }

  /** The last segment of the path, decoded; {@code download} when the path has none. */
  static String fileName(HttpsUri uri) {
    String path = Objects.toString(uri.uri().getRawPath(), "");
    String last = path.substring(path.lastIndexOf('/') + 1);
    String name =
        URLDecoder.decode(last, StandardCharsets.UTF_8).replace('/', '_').replace('\\', '_');
    return name.isEmpty() || name.equals(".") || name.equals("..") ? "download" : name;
  }

  private static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "HttpsStorageBackend[cache=" + cacheDir + "]";
  }

  /** Builds an {@link HttpsStorageBackend}; not thread-safe. */
  public static final class Builder extends HttpBackendBuilder<Builder> {
    private Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "tune", "https");

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    // The backend reads it here: lazyTransfer() is protected in another package.
    private Supplier<HttpTransfer> transfer() {
      return lazyTransfer();
    }

    public Builder cacheDir(Path dir) {
      this.cacheDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    public HttpsStorageBackend build() {
      return new HttpsStorageBackend(this);
    }
  }
}
