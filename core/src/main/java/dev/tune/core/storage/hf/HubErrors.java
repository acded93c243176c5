package dev.tune.core.storage.hf;

import dev.tune.core.artifact.HfUri;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;
import dev.tune.core.storage.http.HttpErrorMapper;
import dev.tune.core.storage.http.HttpProblem;
import java.util.Optional;

/**
 * Reads the Hub's failures the way its own clients do ({@code X-Error-Code}: {@code GatedRepo},
 * {@code RepoNotFound}, {@code RevisionNotFound}, {@code EntryNotFound}; 401, 403, 429, 5xx) and
 * says which repository, revision and file failed and what to do.
 *
 * @param repo the repository at the revision the user asked for
 * @param file the file the request was for, if one
 * @param endpoint the Hub's base URL, e.g. {@code https://huggingface.co}
 * @param tokenSource where the token came from, e.g. {@code HF_TOKEN}; empty when none is set
 */
record HubErrors(HfUri repo, Optional<String> file, String endpoint, Optional<String> tokenSource)
    implements HttpErrorMapper {

  /** The same, for a request about {@code path}. */
  HubErrors forFile(String path) {
    return new HubErrors(repo, Optional.of(path), endpoint, tokenSource);
  }

  @Override
  public TuneException toException(HttpProblem p) {
    String code = p.header("X-Error-Code").orElse("");
    String name = repoName();
    String server = p.serverMessageSuffix();
    return switch (code) {
      case "GatedRepo" -> gated(p, name);
      case "RepoNotFound" -> repoNotFound(p, name);
      case "RevisionNotFound" ->
          new NotFoundException(
              name
                  + " has no revision '"
                  + repo.revision()
                  + "' (HTTP "
                  + p.status()
                  + server
                  + ").",
              "Use a branch, tag or commit of " + pageUrl() + ", e.g. " + name + "@main.");
      case "EntryNotFound" ->
          new NotFoundException(
              name
                  + "@"
                  + repo.revision()
                  + " has no file '"
                  + file.orElse(repo.path())
                  + "' (HTTP "
                  + p.status()
                  + server
                  + ").",
              "Check the path; the files are listed at "
                  + pageUrl()
                  + "/tree/"
                  + repo.revision()
                  + ".");
      default -> byStatus(p, name, server);
    };
  }

  private TuneException byStatus(HttpProblem p, String name, String server) {
    return switch (p.status()) {
      case 401 ->
          p.tokenSent()
              ? new AuthException(
                  "The Hub rejected the token (from "
                      + source()
                      + ") while "
                      + p.what()
                      + " (HTTP 401"
                      + server
                      + ").",
                  "Set HF_TOKEN to a valid read token from " + tokensPage() + ".")
              : new AuthException(
                  "The Hub wants a token for " + name + " (HTTP 401" + server + ").",
                  "Create a read token at " + tokensPage() + " and set HF_TOKEN to it.");
      case 403 ->
          new AuthException(
              "The Hub refused access to "
                  + name
                  + " while "
                  + p.what()
                  + " (HTTP 403"
                  + server
                  + ").",
              p.tokenSent()
                  ? "Use a token whose account can read "
                      + pageUrl()
                      + " (a fine-grained token must list this repository)."
                  : "Create a read token at " + tokensPage() + " and set HF_TOKEN to it.");
      case 404 ->
          new NotFoundException(
              "The Hub found nothing while " + p.what() + " (HTTP 404" + server + ").",
              "Check the repository, revision and path: " + pageUrl() + ".");
      case 429 ->
          new QuotaException(
              "The Hub rate-limited "
                  + p.what()
                  + " (HTTP 429"
                  + server
                  + ") and still did after "
                  + p.attempts()
                  + " attempts"
                  + p.header("Retry-After").map(s -> "; it asks to wait " + s + " s").orElse("")
                  + ".",
              p.tokenSent()
                  ? "Wait a few minutes and fetch again."
                  : "Wait a few minutes and fetch again, or set HF_TOKEN: the Hub allows"
                      + " signed-in users more requests.");
      default ->
          new RemoteFailureException(
              "The Hub failed "
                  + p.what()
                  + " with HTTP "
                  + p.status()
                  + server
                  + (p.attempts() > 1 ? ", " + p.attempts() + " attempts" : "")
                  + ".",
              p.status() >= 500
                  ? "Try again later; see https://status.huggingface.co for outages."
                  : "Check the repository and path: " + pageUrl() + ".");
    };
  }

  private TuneException gated(HttpProblem p, String name) {
    if (p.tokenSent()) {
      return new AuthException(
          name
              + " is gated and the account of the token (from "
              + source()
              + ") has no access to it (yet).",
          "Accept the licence at "
              + pageUrl()
              + " with that account (approval may take a while),"
              + " then fetch again.");
    }
    return new AuthException(
        name
            + " is gated: the Hub serves its files only to signed-in users who accepted its"
            + " licence, and no token was sent.",
        "Accept the licence at "
            + pageUrl()
            + ", create a read token at "
            + tokensPage()
            + " and set HF_TOKEN to it.");
  }

  private TuneException repoNotFound(HttpProblem p, String name) {
    String kind = repo.type() == HfUri.RepoType.DATASET ? "dataset" : "model";
    if (p.tokenSent()) {
      return new NotFoundException(
          "There is no "
              + kind
              + " repository "
              + name
              + " on the Hub that the token (from "
              + source()
              + ") can read (HTTP "
              + p.status()
              + ").",
          "Check the name"
              + datasetHint()
              + "; for a private repository use a token of an account that can read it.");
    }
    return new NotFoundException(
        "There is no "
            + kind
            + " repository "
            + name
            + " on the Hub, or it is private or gated"
            + " and no token was sent (HTTP "
            + p.status()
            + ").",
        "Check the name"
            + datasetHint()
            + "; for a private or gated repository set HF_TOKEN to a read token from "
            + tokensPage()
            + ".");
  }

  private String datasetHint() {
    return repo.type() == HfUri.RepoType.DATASET
        ? ""
        : " (a dataset is written hf://datasets/ORG/NAME)";
  }

  private String repoName() {
    return (repo.type() == HfUri.RepoType.DATASET ? "hf://datasets/" : "hf://") + repo.repoId();
  }

  private String source() {
    return tokenSource.orElse("the configuration");
  }

  /** The repository's web page, e.g. {@code https://huggingface.co/org/name}. */
  String pageUrl() {
    return endpoint
        + "/"
        + (repo.type() == HfUri.RepoType.DATASET ? "datasets/" : "")
        + repo.repoId();
  }

  private String tokensPage() {
    return endpoint + "/settings/tokens";
  }
}
