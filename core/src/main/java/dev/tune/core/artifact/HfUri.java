package dev.tune.core.artifact;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository, or a file or folder in one, on the Hugging Face Hub: {@code hf://org/name@revision}
 * for a model, {@code hf://datasets/org/name@revision} for a data set, optionally followed by
 * {@code /path/in/repo}.
 *
 * @param type model or data set repository
 * @param repoId {@code org/name}
 * @param revision a branch, tag or commit; {@code main} when the URI names none
 * @param path a path inside the repository without a leading slash; empty for the whole repo
 */
public record HfUri(RepoType type, String repoId, String revision, String path)
    implements ArtifactUri {

  /** The revision the Hub serves when none is named. */
  public static final String DEFAULT_REVISION = "main";

  private static final String PART = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
  private static final Pattern REPO_ID = Pattern.compile(PART + "/" + PART);
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern URI_BODY =
      Pattern.compile("(?<org>[^/@]+)/(?<name>[^/@]+)(?:@(?<rev>[^/]*))?(?:/(?<path>.*))?");
  private static final int MAX_REPO_ID_LENGTH = 96;

  /** The kinds of Hub repositories tune reads. */
  public enum RepoType {
    MODEL(""),
    DATASET("datasets/");

    private final String uriPrefix;

    RepoType(String uriPrefix) {
      this.uriPrefix = uriPrefix;
    }
  }

  public HfUri {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(repoId, "repoId");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(path, "path");
    String text = "hf://" + type.uriPrefix + repoId + "@" + revision + "/" + path;
    String problem = repoIdProblem(repoId);
    if (problem != null) {
      throw new InvalidArtifactUriException(text, problem);
    }
    if (!REVISION.matcher(revision).matches()) {
      throw new InvalidArtifactUriException(
          text,
          "the revision '"
              + revision
              + "' must be a branch, tag or commit of letters, digits, '.', '_' and '-'");
    }
    if (path.startsWith("/")) {
      throw new InvalidArtifactUriException(
          text, "the path in the repository must not start with '/'");
    }
  }

  /** A model repository at {@code revision}. */
  public static HfUri model(String repoId, String revision) {
    return new HfUri(RepoType.MODEL, repoId, revision, "");
  }

  /** A data set repository at {@code revision}. */
  public static HfUri dataset(String repoId, String revision) {
    return new HfUri(RepoType.DATASET, repoId, revision, "");
  }

  static HfUri parseAfterScheme(String text, String rest) {
    RepoType type = RepoType.MODEL;
    if (rest.startsWith("datasets/")) {
      type = RepoType.DATASET;
      rest = rest.substring("datasets/".length());
    } else if (rest.startsWith("spaces/")) {
      throw new InvalidArtifactUriException(
          text, "Spaces are not supported, only models and datasets");
    } else if (rest.startsWith("models/")) {
      rest = rest.substring("models/".length());
    }
    Matcher m = URI_BODY.matcher(rest);
    if (!m.matches()) {
      throw new InvalidArtifactUriException(
          text, "a Hub repository is named ORG/NAME, optionally followed by @REVISION");
    }
    String revision = m.group("rev");
    if (revision != null && revision.isEmpty()) {
      throw new InvalidArtifactUriException(text, "the revision after '@' is empty");
    }
    String path = m.group("path");
    try {
      return new HfUri(
          type,
          m.group("org") + "/" + m.group("name"),
          revision == null ? DEFAULT_REVISION : revision,
          path == null ? "" : path.replaceAll("/+$", ""));
    } catch (InvalidArtifactUriException e) {
      throw new InvalidArtifactUriException(text, e.reason());
    }
  }

  private static String repoIdProblem(String repoId) {
    if (!REPO_ID.matcher(repoId).matches()) {
      return "the repository '"
          + repoId
          + "' must be ORG/NAME, each of letters, digits, '.', '_' and '-'";
    }
    if (repoId.contains("--") || repoId.contains("..")) {
      return "the repository '" + repoId + "' must not contain '--' or '..'";
    }
    if (repoId.length() > MAX_REPO_ID_LENGTH) {
      return "the repository '" + repoId + "' is longer than " + MAX_REPO_ID_LENGTH + " characters";
    }
    return null;
  }

  @Override
  public String scheme() {
    return "hf";
  }

  @Override
  public HfUri resolve(String relative) {
    return new HfUri(type, repoId, revision, UriSyntax.join(path, relative));
  }

  @Override
  public String toString() {
    String base = "hf://" + type.uriPrefix + repoId + "@" + revision;
    return path.isEmpty() ? base : base + "/" + path;
  }
}
