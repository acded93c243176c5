package dev.tune.core.storage.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP answer that is not a success, with what the request was for, for an {@link
 * HttpErrorMapper} to turn into the right exception.
 *
 * @param what what the request was for, e.g. {@code downloading config.json of hf://org/name@main}
 * @param uri the URL that answered
 * @param status the HTTP status
 * @param headers the answer's headers
 * @param body the start of the answer's body, as text
 * @param tokenSent whether the request carried a token
 * @param attempts how many times the request was tried
 */
public record HttpProblem(
    String what,
    URI uri,
    int status,
    HttpHeaders headers,
    String body,
    boolean tokenSent,
    int attempts) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_MESSAGE = 300;

  public HttpProblem {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }

  /** The first value of header {@code name}. */
  public Optional<String> header(String name) {
    return headers.firstValue(name);
  }

  /**
   * The URL without its query: signed download URLs carry credentials there, which messages must
   * not show.
   */
  public String safeUri() {
    return uri.getScheme() + "://" + uri.getRawAuthority() + Objects.toString(uri.getRawPath(), "");
  }

  /** The server's own explanation, if it gave one: a header, a JSON {@code error} or short text. */
  public Optional<String> serverMessage() {
    Optional<String> fromHeader = header("X-Error-Message").filter(m -> !m.isBlank());
    if (fromHeader.isPresent()) {
      return fromHeader.map(HttpProblem::shorten);
    }
    String text = body.strip();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (text.startsWith("{")) {
      try {
        JsonNode error = JSON.readTree(text).path("error");
        return error.isTextual() ? Optional.of(shorten(error.asText())) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    String type = header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    return type.contains("html") ? Optional.empty() : Optional.of(shorten(text));
  }

  /** {@code ": <server message>"}, or empty text when the server said nothing. */
  public String serverMessageSuffix() {
    return serverMessage().map(m -> ": " + m).orElse("");
  }

  private static String shorten(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE) + "...";
  }
}
