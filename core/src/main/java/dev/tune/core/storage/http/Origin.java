package dev.tune.core.storage.http;

import java.net.URI;
import java.util.Locale;

/**
 * Scheme, host and port of a URL: credentials for one origin are never sent to another.
 *
 * @param scheme lower case
 * @param host lower case
 * @param port explicit, or the scheme's default
 */
public record Origin(String scheme, String host, int port) {
  /** The origin of {@code uri}, which must be absolute with a host. */
  public static Origin of(URI uri) {
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("not an absolute URL with a host: " + uri);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port < 0) {
      port = scheme.equals("https") ? 443 : 80;
    }
    return new Origin(scheme, uri.getHost().toLowerCase(Locale.ROOT), port);
  }

  @Override
  public String toString() {
    return scheme + "://" + host + ":" + port;
  }
}
