package dev.tune.container.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading request bodies and writing JSON answers on an {@link HttpExchange}. */
final class Exchanges {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private Exchanges() {}

  /**
   * The request body, refused with 413 once it is longer than {@code maxBytes} (by its declared
   * length or by what arrives).
   */
  static byte[] readBody(HttpExchange exchange, long maxBytes) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.strip());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("Content-Length '" + declared + "' is not a number.");
      }
      if (length > maxBytes) {
        throw tooLarge(length, maxBytes);
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (body.length > maxBytes) {
        throw tooLarge(body.length, maxBytes);
      }
      return body;
    }
  }

  private static ApiError tooLarge(long length, long maxBytes) {
    return ApiError.payloadTooLarge(
        "The request body is "
            + (length > maxBytes + 1 ? length + " bytes" : "over " + maxBytes + " bytes")
            + "; the server takes at most "
            + maxBytes
            + " bytes. Send fewer or shorter prompts per request.");
  }

  static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = json(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static void sendError(HttpExchange exchange, ApiError error) throws IOException {
    sendJson(exchange, error.status(), errorBody(error));
  }

  /** {@code {"error": {"message": ..., "type": ..., "status": ...}}}. */
  static Map<String, Object> errorBody(ApiError error) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("message", error.getMessage());
    detail.put("type", error.type());
    detail.put("status", error.status());
    return Map.of("error", detail);
  }

  static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
