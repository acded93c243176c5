package dev.tune.container.serve;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Lets a request through when the server has no API key, or when the request carries it as {@code
 * Authorization: Bearer KEY} or {@code X-Api-Key: KEY}.
 */
final class ApiKeyCheck {

  private static final String BEARER = "bearer ";

  private final Optional<byte[]> key;

  ApiKeyCheck(Optional<String> key) {
    this.key = key.map(k -> k.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws ApiError 401 when a key is required and missing or wrong
   */
  void check(Headers headers) {
    if (key.isEmpty()) {
      return;
    }
    Optional<String> given = presented(headers);
    if (given.isEmpty()) {
      throw ApiError.unauthorized(
          "This endpoint needs an API key: send it as 'Authorization: Bearer KEY' or"
              + " 'X-Api-Key: KEY'.");
    }
    // Constant-time comparison, so response timing does not reveal how much of a guess matched.
    if (!MessageDigest.isEqual(key.get(), given.get().getBytes(StandardCharsets.UTF_8))) {
      throw ApiError.unauthorized("The API key is wrong.");
    }
  }

  private static Optional<String> presented(Headers headers) {
    String apiKey = headers.getFirst("X-Api-Key");
    if (apiKey != null && !apiKey.isBlank()) {
      return Optional.of(apiKey.strip());
    }
    String authorization = headers.getFirst("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.of(authorization.substring(BEARER.length()).strip());
    }
    return Optional.empty();
  }
}
