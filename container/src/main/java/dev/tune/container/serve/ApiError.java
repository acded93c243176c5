package dev.tune.container.serve;

/**
 * A request the server refuses, with the HTTP status and a message that says what was wrong and how
 * to fix it. It becomes {@code {"error": {"message": ..., "type": ..., "status": ...}}}.
 */
public final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  private ApiError(int status, String message) {
    super(message);
    this.status = status;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, message);
  }

  public static ApiError methodNotAllowed(String message) {
    return new ApiError(405, message);
  }

  public static ApiError timeout(String message) {
    return new ApiError(408, message);
  }

  public static ApiError payloadTooLarge(String message) {
    return new ApiError(413, message);
  }

  public static ApiError tooManyRequests(String message) {
    return new ApiError(429, message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, message);
  }

  /** A failure of the server itself; the message says what failed, not how to fix a request. */
  public static ApiError internal(String message) {
    return new ApiError(500, message);
  }

  public int status() {
    return status;
  }

  /** A stable name for the status, for clients that branch on it. */
  public String type() {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "timeout";
      case 413 -> "payload_too_large";
      case 429 -> "too_many_requests";
      case 500 -> "internal";
      case 503 -> "unavailable";
      default -> "error";
    };
  }
}
