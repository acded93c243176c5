package dev.tune.container.image;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A TCP connect to a registry before the build starts. Jib learns that a registry is unreachable
 * only while it is already compressing the application layers, and waits for them to finish before
 * it reports; a connect of a few milliseconds turns "no network" into an answer at once.
 */
final class RegistryProbe {
  private static final int TIMEOUT_MILLIS = 10_000;

  private RegistryProbe() {}

  /**
   * @param registry a host with an optional port; HTTPS's 443 when none is given
   * @throws RegistryUnreachableException if the host does not resolve or does not accept
   */
  static void check(String registry) {
    if (behindProxy()) {
      return; // only the proxy is reachable directly; Jib goes through it and reports itself
    }
    int colon = registry.lastIndexOf(':');
    String host = colon > 0 ? registry.substring(0, colon) : registry;
    int port = colon > 0 ? Integer.parseInt(registry.substring(colon + 1)) : 443;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw new RegistryUnreachableException(registry, e);
    }
  }

  private static boolean behindProxy() {
    return System.getProperty("https.proxyHost") != null
        || System.getProperty("http.proxyHost") != null
        || System.getenv("HTTPS_PROXY") != null
        || System.getenv("https_proxy") != null;
  }
}
