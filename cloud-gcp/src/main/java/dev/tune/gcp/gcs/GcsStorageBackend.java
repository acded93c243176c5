package dev.tune.gcp.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.BucketBackendBuilder;
import dev.tune.core.storage.BucketLayout;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.SerialListener;
import dev.tune.core.storage.StorageBackend;
import dev.tune.core.storage.StoredFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Objects and prefixes in Google Cloud Storage ({@code gs://BUCKET/NAME}, {@code
 * gs://BUCKET/PREFIX/}), through the official client over its JSON API.
 *
 * <p>A name that names an object is that object; any other name, and one ending in {@code /}, is a
 * prefix whose objects are fetched, several at once, into a directory that mirrors the names below
 * the prefix. Without a destination, files go to a cache ({@code ~/.cache/tune/gcs/BUCKET/NAME}); a
 * file whose size and modification time match the object's moves nothing. Files arrive through a
 * temporary name and are checked against the object's MD5 or CRC32C. Uploads write a file to the
 * name given, or a directory's files below it, each through a resumable upload.
 *
 * <p>On Vertex AI, whose jobs see buckets mounted at {@code /gcs/BUCKET/...} (Cloud Storage FUSE),
 * a fetch without a destination returns the mounted path when it exists, without copying. A plain
 * path {@code /gcs/BUCKET/NAME} in a spec is a local file where the mount exists; {@link
 * #uriOfVertexMountPath} turns it into {@code gs://BUCKET/NAME} where it does not.
 *
 * <p>Settings come from the environment unless the builder sets them: credentials from the
 * application default chain ({@code GOOGLE_APPLICATION_CREDENTIALS}, {@code gcloud auth
 * application-default login}, the attached service account), the project from {@code
 * GOOGLE_CLOUD_PROJECT}, and an emulator or test server from {@code STORAGE_EMULATOR_HOST} (or the
 * system property of that name), which is used without credentials.
 */
public final class GcsStorageBackend implements StorageBackend {
  /** Bytes per request of a resumable upload; a multiple of 256 KiB. */
  static final int UPLOAD_CHUNK = 16 << 20;

  private final Optional<URI> host;
  private final Optional<String> project;
  private final Optional<Credentials> credentials;
  private final Path cacheDir;
  private final VertexFuse fuse;
  private final int maxAttempts;
  private final Duration retryBaseDelay;
  private final GcsErrors errors;
  private Storage client;

  /** Reads its settings from the environment; see the class comment. */
  public GcsStorageBackend() {
    this(builder().environment(System.getenv()).systemProperties(System.getProperties()));
  }

  private GcsStorageBackend(Builder b) {
    this.host = b.host;
    this.project = b.project;
    this.credentials = b.credentials;
    this.cacheDir = b.cacheDir();
    this.fuse = new VertexFuse(b.fuseRoot);
    this.maxAttempts = b.maxAttempts();
    this.retryBaseDelay = b.retryBaseDelay();
    this.errors = new GcsErrors(b.maxAttempts());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The {@code gs://} URI of a path in Vertex AI's Cloud Storage mount ({@code /gcs/BUCKET/NAME} is
   * {@code gs://BUCKET/NAME}); empty for any other path.
   */
  public static Optional<GcsUri> uriOfVertexMountPath(Path path) {
    return new VertexFuse(VertexFuse.DEFAULT_ROOT).uriOf(path);
  }

  @Override
  public Set<String> schemes() {
    return Set.of("gs");
  }

  /** Where fetches without a destination put files. */
  public Path cacheDir() {
    return cacheDir;
  }

  @Override
  public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
    GcsUri uri = gcsUri(source);
    if (options.destination().isEmpty()) {
      Optional<Path> mounted = fuse.mounted(uri);
      if (mounted.isPresent()) {
        return mounted.get();
      }
    }
    Storage gcs = client(uri);
    List<GcsObject> objects = new GcsListing(gcs, errors).at(uri);
    ObjectDownload download = new ObjectDownload(gcs, errors, maxAttempts);
    ProgressListener serial = new SerialListener(listener);
    return BucketLayout.fetch(
        uri,
        uri.object(),
        objects,
        cacheDir.resolve(uri.bucket()),
        options,
        (object, target) -> {
          GcsUri objectUri = new GcsUri(uri.bucket(), object.name());
          download.fetch(objectUri, object, target, new FileProgress(objectUri, serial));
        });
  }

  @Override
  public List<StoredFile> list(ArtifactUri location) {
    GcsUri uri = gcsUri(location);
    return BucketLayout.storedFiles(new GcsListing(client(uri), errors).at(uri));
  }

  /**
   * Copies a file to the object {@code destination} names (below it, under the file's name, when
   * the name is empty or ends in {@code /}), or a directory's files below {@code destination}.
   */
  @Override
  public ArtifactUri upload(Path source, ArtifactUri destination, ProgressListener listener) {
    GcsUri uri = gcsUri(destination);
    ProgressListener serial = new SerialListener(listener);
    return BucketLayout.upload(
        source,
        uri,
        uri.object(),
        uri::resolve,
        (file, target) ->
            new ObjectUpload(client(target), errors, UPLOAD_CHUNK)
                .upload(file, target, new FileProgress(target, serial)));
  }

  /**
   * The client, built on first use (constructing the backend to read its schemes must stay cheap),
   * after finding credentials: the client would otherwise fail later with a message that hides
   * which location was being read.
   */
  private synchronized Storage client(GcsUri uri) {
    if (client == null) {
      Credentials chosen =
          credentials.orElseGet(
              () -> {
                if (host.isPresent()) {
                  return NoCredentials.getInstance();
                }
                try {
                  return GoogleCredentials.getApplicationDefault();
                } catch (IOException e) {
                  throw errors.noCredentials(e, uri);
                }
              });
      StorageOptions.Builder options =
          StorageOptions.http()
              .setCredentials(chosen)
              // Without a project the client would ask the metadata server for one.
              .setProjectId(project.orElse("tune-no-project"))
              .setRetrySettings(
                  RetrySettings.newBuilder()
                      .setMaxAttempts(maxAttempts)
                      .setInitialRetryDelayDuration(retryBaseDelay)
                      .setRetryDelayMultiplier(2.0)
                      .setMaxRetryDelayDuration(retryBaseDelay.multipliedBy(40))
                      .setTotalTimeoutDuration(Duration.ofMinutes(10))
                      .setInitialRpcTimeoutDuration(Duration.ofMinutes(2))
                      .setMaxRpcTimeoutDuration(Duration.ofMinutes(2))
                      .build());
      host.ifPresent(h -> options.setHost(h.toString()));
      client = options.build().getService();
    }
    return client;
  }

  private static GcsUri gcsUri(ArtifactUri uri) {
    if (uri instanceof GcsUri gcs) {
      return gcs;
    }
    throw new IllegalArgumentException("not a gs:// URI: " + uri);
  }

  @Override
  public String toString() {
    return "GcsStorageBackend[host="
        + host.map(URI::toString).orElse("Cloud Storage")
        + ", cache="
        + cacheDir
        + "]";
  }

  /** Builds a {@link GcsStorageBackend}; not thread-safe. */
  public static final class Builder extends BucketBackendBuilder<Builder> {
    private Optional<URI> host = Optional.empty();
    private Optional<String> project = Optional.empty();
    private Optional<Credentials> credentials = Optional.empty();
    private Path fuseRoot = VertexFuse.DEFAULT_ROOT;

    private Builder() {
      super("gcs", Duration.ofMillis(500));
    }

    @Override
    protected Builder self() {
      return this;
    }

    /** Takes {@code STORAGE_EMULATOR_HOST} and {@code GOOGLE_CLOUD_PROJECT} from {@code env}. */
    public Builder environment(Map<String, String> env) {
      Optional.ofNullable(env.get("STORAGE_EMULATOR_HOST"))
          .filter(s -> !s.isBlank())
          .ifPresent(h -> host(parseHost(h)));
      Optional.ofNullable(env.get("GOOGLE_CLOUD_PROJECT"))
          .filter(s -> !s.isBlank())
          .ifPresent(this::project);
      return this;
    }

    /**
     * Takes {@code STORAGE_EMULATOR_HOST} from system properties, which win over the environment.
     */
    public Builder systemProperties(Properties properties) {
      Optional.ofNullable(properties.getProperty("STORAGE_EMULATOR_HOST"))
          .filter(s -> !s.isBlank())
          .ifPresent(h -> host(parseHost(h)));
      return this;
    }

    private static URI parseHost(String text) {
      String withScheme = text.strip().contains("://") ? text.strip() : "http://" + text.strip();
      try {
        URI uri = URI.create(withScheme);
        if (uri.getHost() == null) {
          throw new IllegalArgumentException("no host");
        }
        return uri;
      } catch (IllegalArgumentException e) {
        throw new BadInputException(
            "STORAGE_EMULATOR_HOST is '" + text + "', which is not a host or URL.",
            "Set it to the emulator's address, e.g. localhost:4443, or unset it.");
      }
    }

    /** A Cloud Storage emulator or test server (e.g. {@code http://127.0.0.1:8080}). */
    public Builder host(URI host) {
      this.host = Optional.of(host);
      return this;
    }

    /** The project billed for requests that need one; object reads and writes do not. */
    public Builder project(String project) {
      this.project = Optional.of(project);
      return this;
    }

    /** Credentials other than the application default ones. */
    public Builder credentials(Credentials credentials) {
      this.credentials = Optional.of(Objects.requireNonNull(credentials, "credentials"));
      return this;
    }

    /** Where Cloud Storage FUSE mounts buckets; {@code /gcs} on Vertex AI. */
    public Builder vertexMount(Path root) {
      this.fuseRoot = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
      return this;
    }

    public GcsStorageBackend build() {
      return new GcsStorageBackend(this);
    }
  }
}
