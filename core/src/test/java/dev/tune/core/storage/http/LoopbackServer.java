package dev.tune.core.storage.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTP or HTTPS server on 127.0.0.1 for tests, which records every request it answers. The
 * HTTPS one has a fresh self-signed certificate for 127.0.0.1 and localhost, made with the JDK's
 * keytool, and hands out a client that trusts it.
 */
public final class LoopbackServer implements AutoCloseable {
  private static final String STORE_PASSWORD = "loopback";

  /** One request as the server saw it. */
  public record Request(
      String method, String host, String path, String query, Map<String, String> headers) {
    /** The first value of header {@code name}, case-insensitive. */
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The host name the client addressed, without the port. */
    public String hostName() {
      int colon = host.lastIndexOf(':');
      return colon < 0 ? host : host.substring(0, colon);
    }
  }

  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    void handle(Request request, HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final SSLContext tls;

  private LoopbackServer(HttpServer server, SSLContext tls, Handler handler) {
    this.server = server;
    this.tls = tls;
    // Several threads, so that parallel downloads are answered in parallel.
    this.executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            Request request = record(exchange);
            requests.add(request);
            handler.handle(request, exchange);
          } catch (IOException | RuntimeException e) {
            // A broken connection is what some tests ask for; the client sees it.
          }
        });
    server.start();
  }

  /** A plain HTTP server on 127.0.0.1. */
  public static LoopbackServer http(Handler handler) throws IOException {
    return new LoopbackServer(HttpServer.create(loopback(), 0), null, handler);
  }

  /** An HTTPS server on 127.0.0.1 with a certificate made in {@code workDir}. */
  public static LoopbackServer https(Path workDir, Handler handler) throws Exception {
    SSLContext tls = selfSignedContext(workDir);
    HttpsServer server = HttpsServer.create(loopback(), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    return new LoopbackServer(server, tls, handler);
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  private static SSLContext selfSignedContext(Path workDir) throws Exception {
    Path store = workDir.resolve("loopback.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "loopback",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                STORE_PASSWORD,
                "-keypass",
                STORE_PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, STORE_PASSWORD.toCharArray());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    Certificate certificate = keys.getCertificate("loopback");
    trusted.setCertificateEntry("loopback", certificate);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  private static Request record(HttpExchange exchange) {
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    URI uri = exchange.getRequestURI();
    return new Request(
        exchange.getRequestMethod(),
        headers.getOrDefault("host", ""),
        uri.getRawPath(),
        uri.getRawQuery(),
        Map.copyOf(headers));
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http(s)://127.0.0.1:PORT} followed by {@code path}. */
  public URI uri(String path) {
    return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + port() + path);
  }

  /** A client that trusts this server's certificate and follows no redirect. */
  public HttpClient client() {
    HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    return builder.build();
  }

  /** Every request so far, oldest first. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the requests so far. */
  public void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Sends {@code status} with {@code body} (may be empty) and closes the exchange. */
  public static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      new ByteArrayInputStream(body).transferTo(exchange.getResponseBody());
    }
  }
}
