package dev.tune.core.artifact;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * A file served over HTTPS, read-only to tune: {@code https://HOST[:PORT]/PATH[?QUERY]}.
 *
 * @param uri absolute, scheme {@code https}, with a host and neither user info nor a fragment
 */
public record HttpsUri(URI uri) implements ArtifactUri {
  public HttpsUri {
    Objects.requireNonNull(uri, "uri");
    String problem = problem(uri);
    if (problem != null) {
      throw new InvalidArtifactUriException(uri.toString(), problem);
    }
  }

  static HttpsUri parseAfterScheme(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new InvalidArtifactUriException(text, "it is not a valid URL: " + e.getReason());
    }
    try {
      return new HttpsUri(uri);
    } catch (InvalidArtifactUriException e) {
      throw new InvalidArtifactUriException(text, e.reason());
    }
  }

  private static String problem(URI uri) {
    if (!"https".equals(uri.getScheme())) {
      return "the scheme must be https";
    }
    if (uri.getRawAuthority() == null || uri.getHost() == null) {
      return "the host name is missing or invalid";
    }
    // Credentials in the URL would end up in logs and error messages with the URI's text.
    if (uri.getRawUserInfo() != null) {
      return "it must not contain a user name or password";
    }
    if (uri.getRawFragment() != null) {
      return "it must not contain a fragment ('#...')";
    }
    return null;
  }

  @Override
  public String scheme() {
    return "https";
  }

  /** The host name in lower case, e.g. {@code example.com}. */
  public String host() {
    return uri.getHost().toLowerCase(Locale.ROOT);
  }

  /** A URL for {@code relative} below this one's path; the query, if any, is not kept. */
  @Override
  public HttpsUri resolve(String relative) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String joined = UriSyntax.join(path, relative);
    return new HttpsUri(
        URI.create(
            "https://" + uri.getRawAuthority() + (joined.startsWith("/") ? "" : "/") + joined));
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
