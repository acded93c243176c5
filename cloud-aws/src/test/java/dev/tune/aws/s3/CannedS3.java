package dev.tune.aws.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that answers every request with what a test hands it, for the answers
 * S3Proxy never gives (throttling, 5xx, a refused policy, a body cut off mid-way). Records the
 * requests it saw.
 */
final class CannedS3 implements AutoCloseable {
  /** Answers one request. */
  @FunctionalInterface
  interface Answer {
    void answer(HttpExchange exchange, int requestNumber) throws IOException;
  }

  /** One request seen: method, path, query and the {@code Range} and {@code If-Match} headers. */
  record Seen(String method, String path, String query, String range, String ifMatch) {}

  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  CannedS3(Answer answer) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          seen.add(
              new Seen(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  String.valueOf(exchange.getRequestURI().getQuery()),
                  exchange.getRequestHeaders().getFirst("Range"),
                  exchange.getRequestHeaders().getFirst("If-Match")));
          exchange.getRequestBody().readAllBytes();
          try {
            answer.answer(exchange, seen.size());
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Answers with an S3 error document. */
  static void error(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    byte[] body =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message><RequestId>TESTREQUEST</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/xml");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
