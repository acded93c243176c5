package dev.tune.core.storage.hf;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.HfUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.storage.SerialListener;
import dev.tune.core.storage.StorageBackend;
import dev.tune.core.storage.StoredFile;
import dev.tune.core.storage.http.BearerToken;
import dev.tune.core.storage.http.HttpBackendBuilder;
import dev.tune.core.storage.http.HttpTransfer;
import dev.tune.core.storage.http.Origin;
import dev.tune.core.train.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Model and dataset repositories on the Hugging Face Hub ({@code hf://ORG/NAME@REVISION[/PATH]},
 * {@code hf://datasets/ORG/NAME@REVISION[/PATH]}), read through the Hub's HTTP API into a
 * content-addressed cache that the Hub's own clients can share (see {@link HubCache}).
 *
 * <p>Without a destination, a fetch returns the commit's snapshot directory (or the file or folder
 * in it that the URI names); it holds the files this fetch selected and any that an earlier fetch
 * of the same commit brought, so read files by name rather than by listing the directory.
 *
 * <p>A fetch resolves the revision to a commit, then brings the selected files of that commit into
 * the cache, several at once: files already there move nothing, broken downloads resume with {@code
 * Range}, every file is checked against the Hub's sha256 or git blob id before it enters the cache,
 * and 429 and 5xx answers are retried with backoff. The token ({@code HF_TOKEN}, or one given per
 * fetch) goes to the Hub's own host only, never to the CDN it redirects to, and appears in no
 * message or {@code toString()}.
 *
 * <p>Settings come from the environment unless the builder sets them: {@code HF_ENDPOINT} (default
 * {@value #DEFAULT_ENDPOINT}), {@code HF_TOKEN}, {@code HF_HUB_CACHE} (else {@code HF_HOME/hub},
 * else {@code ~/.cache/tune/hub}) and {@code HF_HUB_OFFLINE=1} (serve from the cache only).
 */
public final class HfStorageBackend implements StorageBackend {
  /** The public Hub. */
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

  private final String endpoint;
  private final Optional<Secret> token;
  private final String tokenSource;
  private final HubCache cache;
  private final boolean offline;
  private final Supplier<HttpTransfer> transfer;
  private final Optional<BadInputException> misconfigured;
  private HubApi api;

  /** Reads its settings from the environment; see the class comment. */
  public HfStorageBackend() {
    this(builder().environment(System.getenv()));
  }

  private HfStorageBackend(Builder b) {
    this.endpoint = b.endpoint;
    this.token = b.token;
    this.tokenSource = b.tokenSource;
    this.cache = new HubCache(b.cacheDir);
    this.offline = b.offline;
    this.transfer = b.transfer();
    this.misconfigured = b.endpointProblem;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Set<String> schemes() {
    return Set.of("hf");
  }

  /** The Hub's base URL, without a trailing slash. */
  public String endpoint() {
    return endpoint;
  }

  /** Where the cache lives. */
  public Path cacheDir() {
    return cache.root();
  }

  // Built on first use: constructing the backend to read its schemes must stay cheap.
  private synchronized HubApi api() {
    if (misconfigured.isPresent()) {
      throw misconfigured.get();
    }
    if (api == null) {
      api = new HubApi(endpoint, transfer.get());
    }
    return api;
  }

  @Override
  public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
    HfUri uri = hfUri(source);
    HubCache.Repo repoCache = cache.repo(uri);
    try {
      if (offline) {
        return fetchOffline(uri, repoCache, options);
      }
      Optional<BearerToken> bearer = bearer(options);
      HubErrors errors = errors(uri, options);
      HubApi.RepoRevision revision = api().revision(uri, bearer, errors, false);
      List<String> wanted = select(uri, revision, options);
      new SnapshotDownload(
              api(),
              repoCache,
              uri,
              revision.commit(),
              bearer,
              errors,
              new SerialListener(listener))
          .fetchAll(wanted, options.parallelism());
      Files.createDirectories(repoCache.snapshot(revision.commit()));
      repoCache.writeRef(uri.revision(), revision.commit());
      return place(uri, repoCache.snapshot(revision.commit()), wanted, options);
    } catch (IOException e) {
      throw LocalFiles.failure("writing the Hub cache in " + cache.root(), e);
    }
  }

  @Override
  public List<StoredFile> list(ArtifactUri location) {
    HfUri uri = hfUri(location);
    FetchOptions options = FetchOptions.defaults();
    HubApi.RepoRevision revision = api().revision(uri, bearer(options), errors(uri, options), true);
    List<StoredFile> files = new ArrayList<>();
    for (HubApi.RepoFile file : revision.files()) {
      relativeTo(uri.path(), file.path())
          .ifPresent(relative -> files.add(new StoredFile(relative, file.size())));
    }
    if (files.isEmpty() && !uri.path().isEmpty()) {
      throw noSuchPath(uri, revision.commit());
    }
    return files;
  }

  @Override
  public ArtifactUri upload(Path source, ArtifactUri destination, ProgressListener listener) {
    throw new BadInputException(
        "tune reads from the Hugging Face Hub but does not upload to it: cannot upload "
            + source
            + " to "
            + destination
            + ".",
        "Upload to a local path, s3:// or gs://; push to the Hub with its own tools.");
  }

  /** The repository paths to fetch: the one file, or the selected files below the path. */
  private static List<String> select(
      HfUri uri, HubApi.RepoRevision revision, FetchOptions options) {
    List<String> below = new ArrayList<>();
    for (HubApi.RepoFile file : revision.files()) {
      if (!HubCache.safePath(file.path())) {
        throw new RemoteFailureException(
            "The Hub listed a file of "
                + uri
                + " with a path that would leave the cache: '"
                + file.path()
                + "'.",
            "Check HF_ENDPOINT: the Hub itself never does this.");
      }
      if (file.path().equals(uri.path())) {
        return List.of(file.path());
      }
      relativeTo(uri.path(), file.path()).ifPresent(below::add);
    }
    if (below.isEmpty()) {
      if (uri.path().isEmpty()) {
        throw new NotFoundException(
            uri + " has no files at commit " + revision.commit() + ".",
            "Check the repository and revision.");
      }
      throw noSuchPath(uri, revision.commit());
    }
    List<String> selected = options.selection().selectFrom(uri, below);
    String prefix = uri.path().isEmpty() ? "" : uri.path() + "/";
    return selected.stream().map(relative -> prefix + relative).toList();
  }

  private static Optional<String> relativeTo(String dir, String path) {
    if (dir.isEmpty()) {
      return Optional.of(path);
    }
    if (path.equals(dir)) {
      return Optional.of(path.substring(path.lastIndexOf('/') + 1));
    }
    return path.startsWith(dir + "/")
        ? Optional.of(path.substring(dir.length() + 1))
        : Optional.empty();
  }

  private static NotFoundException noSuchPath(HfUri uri, String commit) {
    return new NotFoundException(
        HubApi.base(uri) + " has no file or folder '" + uri.path() + "' (commit " + commit + ").",
        "Check the path in the URI; paths are case-sensitive.");
  }

  /** Where the caller gets the files: the snapshot itself, or copies in the destination. */
  private static Path place(HfUri uri, Path snapshot, List<String> fetched, FetchOptions options)
      throws IOException {
    Path inSnapshot = uri.path().isEmpty() ? snapshot : snapshot.resolve(uri.path());
    if (options.destination().isEmpty()) {
      return inSnapshot;
    }
    Path destination = options.destination().get();
    boolean singleFile = fetched.size() == 1 && fetched.get(0).equals(uri.path());
    if (singleFile) {
      Path target = destination.resolve(inSnapshot.getFileName().toString());
      LocalFiles.linkOrCopy(inSnapshot.toRealPath(), target);
      return target;
    }
    String prefix = uri.path().isEmpty() ? "" : uri.path() + "/";
    for (String path : fetched) {
      // Link to the blob itself: a hard link to a symbolic link would dangle outside the cache.
      LocalFiles.linkOrCopy(
          snapshot.resolve(path).toRealPath(),
          destination.resolve(path.substring(prefix.length())));
    }
    return destination;
  }

  private Path fetchOffline(HfUri uri, HubCache.Repo repoCache, FetchOptions options)
      throws IOException {
    Optional<String> commit = repoCache.commitOf(uri.revision());
    Path snapshot = commit.map(repoCache::snapshot).orElse(null);
    Path inSnapshot =
        snapshot == null ? null : uri.path().isEmpty() ? snapshot : snapshot.resolve(uri.path());
    if (inSnapshot == null || !Files.exists(inSnapshot)) {
      throw new NotFoundException(
          uri
              + " is not in the cache at "
              + cache.root()
              + ", and HF_HUB_OFFLINE forbids asking"
              + " the Hub.",
          "Fetch it once with network access, or unset HF_HUB_OFFLINE.");
    }
    if (options.destination().isEmpty()) {
      return inSnapshot;
    }
    List<String> files = new ArrayList<>();
    if (Files.isDirectory(inSnapshot)) {
      try (Stream<Path> walk = Files.walk(snapshot)) {
        walk.filter(Files::isRegularFile)
            .map(p -> String.join("/", toParts(snapshot.relativize(p))))
            .forEach(files::add);
      }
      String prefix = uri.path().isEmpty() ? "" : uri.path() + "/";
      List<String> below =
          files.stream()
              .filter(f -> f.startsWith(prefix))
              .map(f -> f.substring(prefix.length()))
              .toList();
      files = options.selection().select(below).stream().map(f -> prefix + f).toList();
    } else {
      files.add(uri.path());
    }
    return place(uri, snapshot, files, options);
  }

  private static List<String> toParts(Path relative) {
    List<String> parts = new ArrayList<>();
    relative.forEach(part -> parts.add(part.toString()));
    return parts;
  }

  private Optional<BearerToken> bearer(FetchOptions options) {
    Origin origin = Origin.of(URI.create(endpoint));
    if (options.token().isPresent()) {
      return Optional.of(new BearerToken(options.token().get(), origin, "the fetch options"));
    }
    return token.map(secret -> new BearerToken(secret, origin, tokenSource));
  }

  private HubErrors errors(HfUri uri, FetchOptions options) {
    Optional<String> source =
        options.token().isPresent()
            ? Optional.of("the fetch options")
            : token.map(t -> tokenSource);
    return new HubErrors(uri, Optional.empty(), endpoint, source);
  }

  private static HfUri hfUri(ArtifactUri uri) {
    if (uri instanceof HfUri hf) {
      return hf;
    }
    throw new IllegalArgumentException("not an hf:// URI: " + uri);
  }

  @Override
  public String toString() {
    return "HfStorageBackend[endpoint="
        + endpoint
        + ", cache="
        + cache.root()
        + ", token="
        + (token.isPresent() ? "set (" + tokenSource + ")" : "none")
        + (offline ? ", offline" : "")
        + "]";
  }

  /** Builds an {@link HfStorageBackend}; not thread-safe. */
  public static final class Builder extends HttpBackendBuilder<Builder> {
    private String endpoint = DEFAULT_ENDPOINT;
    private Optional<Secret> token = Optional.empty();
    private String tokenSource = "the backend settings";
    private Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "tune", "hub");
    private boolean offline;
    private Optional<BadInputException> endpointProblem = Optional.empty();

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    // The backend reads it here: lazyTransfer() is protected in another package.
    private Supplier<HttpTransfer> transfer() {
      return lazyTransfer();
    }

    /**
     * Takes what {@code env} sets of {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_CACHE},
     * {@code HF_HOME} and {@code HF_HUB_OFFLINE}; later builder calls override it.
     */
    public Builder environment(Map<String, String> env) {
      // A bad HF_ENDPOINT fails the first request, not the construction: the backend is also
      // built just to learn its scheme, by code that never talks to the Hub.
      try {
        value(env, "HF_ENDPOINT").ifPresent(this::endpoint);
      } catch (BadInputException e) {
        endpointProblem = Optional.of(e);
      }
      value(env, "HF_TOKEN")
          .ifPresent(
              t -> {
                token = Optional.of(new Secret(t));
                tokenSource = "HF_TOKEN";
              });
      Optional<Path> cache =
          value(env, "HF_HUB_CACHE")
              .map(Path::of)
              .or(() -> value(env, "HF_HOME").map(home -> Path.of(home, "hub")));
      cache.ifPresent(this::cacheDir);
      value(env, "HF_HUB_OFFLINE")
          .ifPresent(
              v -> offline = Set.of("1", "true", "yes", "on").contains(v.toLowerCase(Locale.ROOT)));
      return this;
    }

    private static Optional<String> value(Map<String, String> env, String name) {
      return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    /**
     * The Hub or a mirror, e.g. {@code https://huggingface.co}.
     *
     * @throws BadInputException if it is not an http(s) URL with a host
     */
    public Builder endpoint(String url) {
      String trimmed = url.strip().replaceAll("/+$", "");
      URI uri;
      try {
        uri = new URI(trimmed);
      } catch (URISyntaxException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          || uri.getRawQuery() != null
          || uri.getRawUserInfo() != null) {
        throw new BadInputException(
            "The Hub endpoint '" + url + "' is not an http(s) URL with a host.",
            "Set HF_ENDPOINT to the Hub's URL, e.g. " + DEFAULT_ENDPOINT + ", or unset it.");
      }
      this.endpoint = trimmed;
      this.endpointProblem = Optional.empty();
      return this;
    }

    /** The token for every request, unless a fetch brings its own. */
    public Builder token(Optional<Secret> token) {
      this.token = Objects.requireNonNull(token, "token");
      this.tokenSource = "the backend settings";
      return this;
    }

    public Builder cacheDir(Path dir) {
      this.cacheDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Serve from the cache only, never asking the Hub. */
    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    public HfStorageBackend build() {
      return new HfStorageBackend(this);
    }
  }
}
