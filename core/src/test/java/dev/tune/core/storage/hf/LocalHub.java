package dev.tune.core.storage.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tune.core.storage.http.LoopbackServer;
import dev.tune.core.storage.http.LoopbackServer.Request;
import dev.tune.core.storage.http.ServedContent;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP server on 127.0.0.1 that answers like the Hugging Face Hub, for tests: the revision API
 * ({@code /api/models|datasets/ORG/NAME/revision/REV}, with {@code ?blobs=true} sizes), resolve
 * ({@code /[datasets/]ORG/NAME/resolve/REV/PATH}) with {@code X-Repo-Commit} and {@code ETag} (the
 * git blob id) for plain files, and a 302 to a CDN on {@code localhost} (a different host name for
 * the same server) with {@code X-Linked-Etag} (the sha256) and {@code X-Linked-Size} for LFS files;
 * the CDN honours {@code Range}. Failures carry {@code X-Error-Code} and {@code X-Error-Message} as
 * the Hub sends them: 401 {@code RepoNotFound} or {@code GatedRepo} without a token, 404 {@code
 * RepoNotFound}, {@code RevisionNotFound} or {@code EntryNotFound}, 401 for an invalid token.
 */
final class LocalHub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern API =
      Pattern.compile("/api/(models|datasets)/([^/]+/[^/]+)/revision/([^/]+)");
  private static final Pattern RESOLVE =
      Pattern.compile("/(datasets/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)");
  private static final Pattern CDN = Pattern.compile("/cdn/([0-9a-f]{64})");

  /** A file in a commit, stored in git or, if {@code lfs}, in LFS. */
  static final class HubFile {
    private final byte[] content;
    private final boolean lfs;

    HubFile(byte[] content, boolean lfs) {
      this.content = content.clone();
      this.lfs = lfs;
    }

    byte[] content() {
      return content.clone();
    }

    boolean lfs() {
      return lfs;
    }

    String sha256() {
      return hex("SHA-256", content, new byte[0]);
    }

    String gitBlobId() {
      return hex(
          "SHA-1", content, ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A repository: commits, refs, and who may read it. */
  static final class Repo {
    final Map<String, Map<String, HubFile>> commits = new ConcurrentHashMap<>();
    final Map<String, String> refs = new ConcurrentHashMap<>();
    volatile boolean gated;
    volatile boolean privateRepo;

    /** Adds commit {@code sha} with {@code files} and points {@code ref} at it. */
    Repo commit(String ref, String sha, Map<String, HubFile> files) {
      commits.put(sha, Map.copyOf(files));
      refs.put(ref, sha);
      return this;
    }
  }

  /** A canned answer, sent instead of the normal one. */
  record Canned(int status, Map<String, String> headers, String body) {}

  private final String validToken;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, Deque<Canned>> canned = new ConcurrentHashMap<>();
  private final Map<String, Integer> cutCdnAfter = new ConcurrentHashMap<>();
  private final Map<String, Integer> stallCdnAfter = new ConcurrentHashMap<>();
  private final Map<String, byte[]> corruptCdn = new ConcurrentHashMap<>();
  private volatile Consumer<Request> beforeCdn = r -> {};
  private final LoopbackServer server;

  LocalHub(String validToken) throws IOException {
    this.validToken = validToken;
    this.server = LoopbackServer.http(this::handle);
  }

  /** {@code http://127.0.0.1:PORT}: what HF_ENDPOINT would be. */
  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  Repo model(String repoId) {
    return repos.computeIfAbsent("models/" + repoId, k -> new Repo());
  }

  Repo dataset(String repoId) {
    return repos.computeIfAbsent("datasets/" + repoId, k -> new Repo());
  }

  List<Request> requests() {
    return server.requests();
  }

  void clearRequests() {
    server.clearRequests();
  }

  /** The next requests whose path starts with {@code pathPrefix} get these answers, in order. */
  void cannedAnswers(String pathPrefix, Canned... answers) {
    canned.computeIfAbsent(pathPrefix, k -> new ArrayDeque<>()).addAll(List.of(answers));
  }

  /** The next CDN download of {@code sha256} sends {@code bytes} bytes, then breaks. */
  void cutNextDownload(String sha256, int bytes) {
    cutCdnAfter.put(sha256, bytes);
  }

  /** The next CDN download of {@code sha256} sends {@code bytes} bytes, then hangs. */
  void stallNextDownload(String sha256, int bytes) {
    stallCdnAfter.put(sha256, bytes);
  }

  /** The CDN serves {@code replacement} for {@code sha256}, as a damaged cache would. */
  void corrupt(String sha256, byte[] replacement) {
    corruptCdn.put(sha256, replacement);
  }

  /** Runs before each CDN answer, on the server's thread. */
  void beforeCdn(Consumer<Request> hook) {
    this.beforeCdn = hook;
  }

  private void handle(Request request, HttpExchange exchange) throws IOException {
    Optional<Canned> scripted = nextCanned(request.path());
    if (scripted.isPresent()) {
      Canned c = scripted.get();
      c.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      LoopbackServer.reply(exchange, c.status(), c.body().getBytes(StandardCharsets.UTF_8));
      return;
    }
    Matcher cdn = CDN.matcher(request.path());
    Matcher api = API.matcher(request.path());
    Matcher resolve = RESOLVE.matcher(request.path());
    if (cdn.matches()) {
      cdn(request, exchange, cdn.group(1));
    } else if (api.matches()) {
      revisionInfo(request, exchange, api.group(1), api.group(2), decode(api.group(3)));
    } else if (resolve.matches()) {
      String type = resolve.group(1) == null ? "models" : "datasets";
      resolve(
          request,
          exchange,
          type,
          resolve.group(2),
          decode(resolve.group(3)),
          decode(resolve.group(4)));
    } else {
      LoopbackServer.reply(exchange, 404, "Not Found".getBytes(StandardCharsets.UTF_8));
    }
  }

  private Optional<Canned> nextCanned(String path) {
    for (Map.Entry<String, Deque<Canned>> e : canned.entrySet()) {
      if (path.startsWith(e.getKey())) {
        Canned next = e.getValue().poll();
        if (next != null) {
          return Optional.of(next);
        }
      }
    }
    return Optional.empty();
  }

  private void revisionInfo(
      Request request, HttpExchange exchange, String type, String repoId, String revision)
      throws IOException {
    Optional<Map<String, HubFile>> files = access(request, exchange, type, repoId, revision, false);
    if (files.isEmpty()) {
      return;
    }
    Repo repo = repos.get(type + "/" + repoId);
    boolean withBlobs = "blobs=true".equals(request.query());
    ObjectNode info = JSON.createObjectNode();
    info.put("id", repoId);
    info.put("sha", commitOf(repo, revision));
    info.put("private", repo.privateRepo);
    info.put("gated", repo.gated ? "auto" : "false");
    ArrayNode siblings = info.putArray("siblings");
    files.get().keySet().stream()
        .sorted()
        .forEach(
            path -> {
              ObjectNode sibling = siblings.addObject().put("rfilename", path);
              if (withBlobs) {
                HubFile file = files.get().get(path);
                sibling.put("size", file.content().length).put("blobId", file.gitBlobId());
                if (file.lfs()) {
                  sibling
                      .putObject("lfs")
                      .put("sha256", file.sha256())
                      .put("size", file.content().length);
                }
              }
            });
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    LoopbackServer.reply(exchange, 200, JSON.writeValueAsBytes(info));
  }

  private void resolve(
      Request request,
      HttpExchange exchange,
      String type,
      String repoId,
      String revision,
      String path)
      throws IOException {
    Optional<Map<String, HubFile>> files = access(request, exchange, type, repoId, revision, true);
    if (files.isEmpty()) {
      return;
    }
    Repo repo = repos.get(type + "/" + repoId);
    HubFile file = files.get().get(path);
    if (file == null) {
      error(exchange, 404, "EntryNotFound", "Entry not found");
      return;
    }
    exchange.getResponseHeaders().set("X-Repo-Commit", commitOf(repo, revision));
    if (file.lfs()) {
      blobs.put(file.sha256(), file.content());
      exchange.getResponseHeaders().set("ETag", "\"" + file.gitBlobId() + "\"");
      exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + file.sha256() + "\"");
      exchange.getResponseHeaders().set("X-Linked-Size", Integer.toString(file.content().length));
      exchange
          .getResponseHeaders()
          .set(
              "Location",
              "http://localhost:" + server.port() + "/cdn/" + file.sha256() + "?X-Signature=abc");
      LoopbackServer.reply(exchange, 302, new byte[0]);
      return;
    }
    ServedContent.serve(
        request, exchange, file.content(), Optional.of("\"" + file.gitBlobId() + "\""));
  }

  private void cdn(Request request, HttpExchange exchange, String sha256) throws IOException {
    beforeCdn.accept(request);
    byte[] content = corruptCdn.getOrDefault(sha256, blobs.get(sha256));
    if (content == null) {
      LoopbackServer.reply(exchange, 404, new byte[0]);
      return;
    }
    boolean get = request.method().equals("GET");
    Integer cut = get ? cutCdnAfter.remove(sha256) : null;
    Integer stall = get ? stallCdnAfter.remove(sha256) : null;
    Optional<String> etag = Optional.of("\"" + sha256 + "\"");
    if (cut != null) {
      ServedContent.serve(request, exchange, content, etag, cut, ServedContent.Break.CUT);
    } else if (stall != null) {
      ServedContent.serve(request, exchange, content, etag, stall, ServedContent.Break.STALL);
    } else {
      ServedContent.serve(request, exchange, content, etag);
    }
  }

  /** The files of the revision if this request may read them; else answers as the Hub does. */
  private Optional<Map<String, HubFile>> access(
      Request request,
      HttpExchange exchange,
      String type,
      String repoId,
      String revision,
      boolean fileAccess)
      throws IOException {
    Optional<String> auth = request.header("Authorization");
    if (auth.isPresent() && !auth.get().equals("Bearer " + validToken)) {
      error(exchange, 401, null, "Invalid credentials in Authorization header");
      return Optional.empty();
    }
    boolean signedIn = auth.isPresent();
    Repo repo = repos.get(type + "/" + repoId);
    if (repo == null || (repo.privateRepo && !signedIn)) {
      // Without a token the Hub cannot tell missing from private: 401 either way.
      error(exchange, signedIn ? 404 : 401, "RepoNotFound", "Repository not found");
      return Optional.empty();
    }
    String commit = commitOf(repo, revision);
    if (commit == null) {
      error(exchange, 404, "RevisionNotFound", "Invalid rev id: " + revision);
      return Optional.empty();
    }
    if (fileAccess && repo.gated && !signedIn) {
      error(
          exchange,
          401,
          "GatedRepo",
          "Access to model "
              + repoId
              + " is restricted. You must have access to it and be"
              + " authenticated to access it. Please log in.");
      return Optional.empty();
    }
    return Optional.of(repo.commits.get(commit));
  }

  private static String commitOf(Repo repo, String revision) {
    return repo.commits.containsKey(revision) ? revision : repo.refs.get(revision);
  }

  private static void error(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    if (code != null) {
      exchange.getResponseHeaders().set("X-Error-Code", code);
    }
    exchange.getResponseHeaders().set("X-Error-Message", message);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    LoopbackServer.reply(
        exchange, status, JSON.writeValueAsBytes(JSON.createObjectNode().put("error", message)));
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  static String hex(String algorithm, byte[] content, byte[] prefix) {
    try {
      MessageDigest digest = MessageDigest.getInstance(algorithm);
      digest.update(prefix);
      return HexFormat.of().formatHex(digest.digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  URI uri(String path) {
    return server.uri(path);
  }

  @Override
  public void close() {
    server.close();
  }
}
