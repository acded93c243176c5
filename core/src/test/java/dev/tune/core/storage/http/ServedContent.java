package dev.tune.core.storage.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers a GET or HEAD for some bytes the way file servers and CDNs do: {@code ETag}, {@code
 * Content-Length}, {@code Range} (206, or 416 past the end), {@code If-Range} and {@code
 * If-None-Match} (304). It can also stop part-way, as a flaky network does: break the connection,
 * or keep it open and send nothing more.
 */
public final class ServedContent {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private ServedContent() {}

  /** How the body stops short. */
  public enum Break {
    /** The connection is dropped; bytes still in flight may be lost. */
    CUT,
    /** The connection stays open and silent until the client gives up. */
    STALL
  }

  /** Serves all of {@code content}. */
  public static void serve(
      LoopbackServer.Request request, HttpExchange exchange, byte[] content, Optional<String> etag)
      throws IOException {
    serve(request, exchange, content, etag, -1, Break.CUT);
  }

  /**
   * Serves {@code content}, stopping short if asked to.
   *
   * @param etag the quoted ETag to send and to compare validators with, if any
   * @param cutAfter if not negative, send only this many body bytes, then stop as {@code how} says
   * @param how how the body stops short
   */
  public static void serve(
      LoopbackServer.Request request,
      HttpExchange exchange,
      byte[] content,
      Optional<String> etag,
      long cutAfter,
      Break how)
      throws IOException {
    etag.ifPresent(tag -> exchange.getResponseHeaders().set("ETag", tag));
    exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
    if (etag.isPresent() && request.header("If-None-Match").equals(etag)) {
      exchange.sendResponseHeaders(304, -1);
      return;
    }
    long start = 0;
    Optional<String> range = request.header("Range");
    Optional<String> ifRange = request.header("If-Range");
    boolean rangeApplies = range.isPresent() && (ifRange.isEmpty() || ifRange.equals(etag));
    if (rangeApplies) {
      Matcher m = RANGE.matcher(range.get());
      if (!m.matches()) {
        throw new IllegalArgumentException("test server reads only 'bytes=N-' ranges");
      }
      start = Long.parseLong(m.group(1));
      if (start >= content.length) {
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      exchange
          .getResponseHeaders()
          .set(
              "Content-Range",
              "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
    }
    int status = rangeApplies ? 206 : 200;
    long length = content.length - start;
    if (request.method().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, length);
    OutputStream body = exchange.getResponseBody();
    int send = (int) (cutAfter >= 0 ? Math.min(cutAfter, length) : length);
    body.write(content, (int) start, send);
    body.flush();
    if (send < length) {
      if (how == Break.STALL) {
        try {
          Thread.sleep(30_000); // the test's server stops first, which interrupts this
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      // Closing short of Content-Length makes the server drop the connection.
      throw new IOException("test server stopped the body after " + send + " bytes");
    }
  }
}
