package dev.tune.core.storage.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.artifact.HfUri;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.http.BearerToken;
import dev.tune.core.storage.http.HttpTransfer;
import dev.tune.core.storage.http.HttpTransfer.Call;
import dev.tune.core.storage.http.HttpTransfer.Download;
import dev.tune.core.storage.http.HttpTransfer.Downloaded;
import dev.tune.core.storage.http.HttpTransfer.Head;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The parts of the Hub's HTTP API a download needs: the files of a repository at a revision ({@code
 * GET /api/models/ORG/NAME/revision/REV}), a file's metadata ({@code HEAD
 * /ORG/NAME/resolve/COMMIT/PATH}, which answers with {@code X-Repo-Commit}, {@code ETag} or, for
 * LFS files, {@code X-Linked-Etag} and {@code X-Linked-Size} on a redirect to a CDN) and the
 * download. Datasets live under {@code /api/datasets/} and {@code /datasets/}.
 */
final class HubApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  private final String endpoint;
  private final HttpTransfer transfer;

  /** One file of a repository, as the file list names it. */
  record RepoFile(String path, OptionalLong size) {}

  /** A repository at one commit. */
  record RepoRevision(String commit, List<RepoFile> files) {}

  /**
   * What the Hub says about one file.
   *
   * @param etag the content's id without quotes: the sha256 for LFS files, the git blob id else
   * @param weak the server marked the ETag weak, so it cannot vouch for the bytes
   * @param size the content's size, when told
   * @param downloadUri where the bytes are (a CDN for LFS files)
   */
  record FileMetadata(String etag, boolean weak, OptionalLong size, URI downloadUri) {}

  HubApi(String endpoint, HttpTransfer transfer) {
    this.endpoint = endpoint;
    this.transfer = transfer;
  }

  String endpoint() {
    return endpoint;
  }

  /** The commit {@code repo.revision()} points to and the files there, sorted by path. */
  RepoRevision revision(HfUri repo, Optional<BearerToken> token, HubErrors errors, boolean sizes) {
    URI uri =
        URI.create(
            endpoint
                + "/api/"
                + (repo.type() == HfUri.RepoType.DATASET ? "datasets/" : "models/")
                + repo.repoId()
                + "/revision/"
                + encode(repo.revision())
                + (sizes ? "?blobs=true" : ""));
    byte[] body = transfer.get(new Call("listing the files of " + base(repo), uri, token, errors));
    JsonNode info;
    try {
      info = JSON.readTree(body);
    } catch (IOException e) {
      throw unexpected(repo, "its answer is not JSON", e);
    }
    String commit = info.path("sha").asText("");
    if (!COMMIT.matcher(commit).matches()) {
      throw unexpected(repo, "the answer names no commit ('sha')", null);
    }
    List<RepoFile> files = new ArrayList<>();
    for (JsonNode sibling : info.path("siblings")) {
      String path = sibling.path("rfilename").asText("");
      if (!path.isEmpty()) {
        JsonNode size = sibling.path("size");
        files.add(
            new RepoFile(
                path,
                size.canConvertToLong() ? OptionalLong.of(size.asLong()) : OptionalLong.empty()));
      }
    }
    files.sort(Comparator.comparing(RepoFile::path));
    return new RepoRevision(commit, files);
  }

  /** The metadata of {@code path} at {@code commit}, from a HEAD that stops before the CDN. */
  FileMetadata metadata(
      HfUri repo, String commit, String path, Optional<BearerToken> token, HubErrors errors) {
    URI resolve = resolveUri(repo, commit, path);
    Head head =
        transfer.head(new Call("looking up " + path + " in " + base(repo), resolve, token, errors));
    Optional<String> etag =
        head.headers().firstValue("X-Linked-Etag").or(() -> head.headers().firstValue("ETag"));
    if (etag.isEmpty()) {
      throw unexpected(
          repo, "it sent no ETag for " + path + ", so the file cannot be checked", null);
    }
    String raw = etag.get().strip();
    boolean weak = raw.startsWith("W/");
    String id = (weak ? raw.substring(2) : raw).replace("\"", "");
    OptionalLong size = head.headers().firstValueAsLong("X-Linked-Size");
    if (size.isEmpty() && !(head.status() >= 300 && head.status() < 400)) {
      size = head.headers().firstValueAsLong("Content-Length");
    }
    return new FileMetadata(id, weak, size, head.location().orElse(resolve));
  }

  /** Downloads a file into {@code incomplete}, resuming what is there. */
  Downloaded download(
      HfUri repo,
      String path,
      FileMetadata file,
      Path incomplete,
      Optional<BearerToken> token,
      HubErrors errors,
      FileProgress progress) {
    return transfer.download(
        new Call("downloading " + path + " of " + base(repo), file.downloadUri(), token, errors),
        Download.of(incomplete, file.size()),
        progress);
  }

  private URI resolveUri(HfUri repo, String revision, String path) {
    StringBuilder uri = new StringBuilder(endpoint).append('/');
    if (repo.type() == HfUri.RepoType.DATASET) {
      uri.append("datasets/");
    }
    uri.append(repo.repoId()).append("/resolve/").append(encode(revision));
    for (String segment : path.split("/")) {
      uri.append('/').append(encode(segment));
    }
    return URI.create(uri.toString());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code hf://org/name@revision}, without a path. */
  static String base(HfUri repo) {
    return new HfUri(repo.type(), repo.repoId(), repo.revision(), "").toString();
  }

  private RemoteFailureException unexpected(HfUri repo, String what, Throwable cause) {
    return new RemoteFailureException(
        "The Hub at "
            + endpoint
            + " gave an unexpected answer for "
            + base(repo)
            + ": "
            + what
            + ".",
        "Check HF_ENDPOINT (it must be the Hub or a mirror that speaks its API).",
        cause);
  }
}
