package dev.tune.core.storage.http;

import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;
import dev.tune.core.error.TuneTimeoutException;
import dev.tune.core.storage.FileProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GETs, HEADs and resumable downloads over {@link HttpClient}, with the rules every remote backend
 * needs: redirects followed by hand so that a token goes to its own origin only, retries with
 * backoff for 408, 429, 5xx and broken connections (honouring {@code Retry-After}), and each
 * failure turned into a {@link TuneException} by the caller's {@link HttpErrorMapper}.
 */
public final class HttpTransfer {
  private static final int MAX_REDIRECTS = 10;
  private static final int MAX_ERROR_BODY = 16 * 1024;
  private static final int BUFFER = 256 * 1024;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final String USER_AGENT = "tune (java.net.http)";

  private final HttpClient client;
  private final RetryPolicy retry;
  private final Duration requestTimeout;

  /**
   * @param client must not follow redirects itself ({@link HttpClient.Redirect#NEVER}): it would
   *     carry the {@code Authorization} header to other hosts
   * @param retry how failed tries are repeated
   * @param requestTimeout how long to wait for an answer's headers, and for the next bytes of a
   *     body
   */
  public HttpTransfer(HttpClient client, RetryPolicy retry, Duration requestTimeout) {
    if (client.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException(
          "the HttpClient must not follow redirects (use HttpClient.Redirect.NEVER)");
    }
    this.client = client;
    this.retry = Objects.requireNonNull(retry, "retry");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /** A client as the backends want it: no automatic redirects, a bounded connect time. */
  public static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(20))
        .build();
  }

  /**
   * One request.
   *
   * @param what what it is for, for messages: {@code downloading config.json of hf://org/name@main}
   * @param uri where it goes first
   * @param token sent to its own origin only, if present
   * @param errors turns an unsuccessful answer into an exception
   */
  public record Call(String what, URI uri, Optional<BearerToken> token, HttpErrorMapper errors) {
    public Call {
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(errors, "errors");
    }
  }

  /**
   * What a HEAD found.
   *
   * @param status 2xx, or 3xx when it stopped at a redirect to another origin
   * @param uri the URL that answered
   * @param headers its headers
   */
  public record Head(int status, URI uri, HttpHeaders headers) {
    /** Where a redirect that was not followed points, resolved against {@link #uri()}. */
    public Optional<URI> location() {
      return isRedirect(status)
          ? headers.firstValue("Location").map(uri::resolve)
          : Optional.empty();
    }
  }

  /**
   * Where and how a download goes.
   *
   * @param incomplete the file the bytes go to; kept when a download breaks, so that the next one
   *     resumes with {@code Range}
   * @param expectedSize the size the file must end with, when known
   * @param validatorFile where to keep the answer's {@code ETag}, so that a resumed download is
   *     sent with {@code If-Range} and cannot splice two versions; empty when the URL's content
   *     never changes (a content-addressed blob)
   * @param ifNoneMatch the {@code ETag} of a complete copy on disk; a {@code 304} then moves
   *     nothing
   */
  public record Download(
      Path incomplete,
      OptionalLong expectedSize,
      Optional<Path> validatorFile,
      Optional<String> ifNoneMatch) {
    public Download {
      Objects.requireNonNull(incomplete, "incomplete");
      Objects.requireNonNull(expectedSize, "expectedSize");
      Objects.requireNonNull(validatorFile, "validatorFile");
      Objects.requireNonNull(ifNoneMatch, "ifNoneMatch");
    }

    /** A download of content that never changes at its URL. */
    public static Download of(Path incomplete, OptionalLong expectedSize) {
      return new Download(incomplete, expectedSize, Optional.empty(), Optional.empty());
    }
  }

  /**
   * How a download ended.
   *
   * @param notModified the server said the copy on disk is current ({@code 304}); nothing moved
   * @param size bytes in the incomplete file, now complete
   * @param etag the answer's {@code ETag}, if any
   */
  public record Downloaded(boolean notModified, long size, Optional<String> etag) {}

  /** GETs {@code call.uri()}, following every redirect, and returns the body of the 2xx answer. */
  public byte[] get(Call call) {
    return retrying(
        call,
        () -> {
          HttpResponse<InputStream> response = send(call, "GET", Map.of(), true);
          try (InputStream body = response.body()) {
            requireSuccess(call, response, body);
            return body.readAllBytes();
          }
        });
  }

  /**
   * HEADs {@code call.uri()}, following redirects within its origin and stopping at one to another
   * origin (a CDN): that redirect's headers describe the file and its {@code Location} is where to
   * download it.
   */
  public Head head(Call call) {
    return retrying(
        call,
        () -> {
          HttpResponse<InputStream> response =
              send(call, "HEAD", Map.of("Accept-Encoding", "identity"), false);
          try (InputStream body = response.body()) {
            if (!isRedirect(response.statusCode())) {
              requireSuccess(call, response, body);
            }
            return new Head(response.statusCode(), response.uri(), response.headers());
          }
        });
  }

  /**
   * Downloads {@code call.uri()} into {@code download.incomplete()}, resuming what an earlier try
   * left there, until it holds the whole body. Reports bytes to {@code progress}.
   */
  public Downloaded download(Call call, Download download, FileProgress progress) {
    return retrying(call, () -> downloadOnce(call, download, progress));
  }

  private Downloaded downloadOnce(Call call, Download d, FileProgress progress)
      throws IOException, InterruptedException, RetryableAnswer {
    Path file = d.incomplete();
    long have = Files.exists(file) ? Files.size(file) : 0;
    Optional<String> validator = Optional.empty();
    if (have > 0 && d.validatorFile().isPresent()) {
      validator = readValidator(d.validatorFile().get());
      if (validator.isEmpty()) {
        have = 0; // bytes of an unknown version cannot be resumed safely
      }
    }
    if (d.expectedSize().isPresent() && have > d.expectedSize().getAsLong()) {
      have = 0;
    }
    if (have > 0 && d.expectedSize().isPresent() && have == d.expectedSize().getAsLong()) {
      progress.started(have, d.expectedSize());
      return new Downloaded(false, have, validator);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept-Encoding", "identity");
    if (have > 0) {
      headers.put("Range", "bytes=" + have + "-");
      validator.ifPresent(v -> headers.put("If-Range", v));
    }
    if (have == 0) {
      d.ifNoneMatch().ifPresent(tag -> headers.put("If-None-Match", tag));
    }
    HttpResponse<InputStream> response = send(call, "GET", headers, true);
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      Optional<String> etag = response.headers().firstValue("ETag");
      if (status == 304 && d.ifNoneMatch().isPresent()) {
        return new Downloaded(true, 0, d.ifNoneMatch());
      }
      if (status == 416 && have > 0) {
        // The part on disk does not fit the file any more: start over on the next try.
        Files.deleteIfExists(file);
        throw new IOException("the server refused to resume at byte " + have);
      }
      requireSuccess(call, response, body);
      long start = 0;
      if (status == 206) {
        start = rangeStart(response.headers()).orElse(-1);
        if (start != have) {
          Files.deleteIfExists(file);
          throw new IOException("the server resumed at byte " + start + " instead of " + have);
        }
      }
      if (start == 0 && d.validatorFile().isPresent()) {
        writeValidator(d.validatorFile().get(), etag);
      }
      OptionalLong total = d.expectedSize();
      if (total.isEmpty()) {
        total = totalSize(response.headers(), start);
      }
      progress.started(start, total);
      long done = copy(body, file, start > 0, start, progress);
      if (total.isPresent() && done < total.getAsLong()) {
        throw new IOException(
            "the connection closed after " + done + " of " + total.getAsLong() + " bytes");
      }
      if (total.isPresent() && done > total.getAsLong()) {
        Files.deleteIfExists(file);
        throw new RemoteFailureException(
            "The server sent "
                + done
                + " bytes "
                + call.what()
                + ", more than the "
                + total.getAsLong()
                + " it announced; the download was deleted.",
            "Fetch again; if it happens again, the server or a proxy is serving a broken file.");
      }
      return new Downloaded(false, done, etag);
    }
  }

  private long copy(InputStream body, Path file, boolean append, long start, FileProgress progress)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    long done = start;
    byte[] buffer = new byte[BUFFER];
    StallGuard guard = new StallGuard(body, requestTimeout);
    try (guard;
        OutputStream out =
            Files.newOutputStream(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      int n;
      while ((n = body.read(buffer)) >= 0) {
        guard.progressed();
        out.write(buffer, 0, n);
        done += n;
        progress.advanced(done);
      }
    } catch (IOException e) {
      if (guard.fired()) {
        HttpTimeoutException stalled =
            new HttpTimeoutException(
                "no data for " + requestTimeout.toMillis() + " ms after " + done + " bytes");
        stalled.initCause(e);
        throw stalled;
      }
      throw e;
    }
    return done;
  }

  /**
   * Sends one request and follows its redirects: every one when {@code crossOrigin}, else only
   * those within the first URL's origin. The token goes along only while the URL is in its origin,
   * and never again once a redirect left it.
   */
  private HttpResponse<InputStream> send(
      Call call, String method, Map<String, String> headers, boolean crossOrigin)
      throws IOException, InterruptedException {
    URI uri = call.uri();
    Origin start = Origin.of(uri);
    boolean mayAuthenticate = true;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri).timeout(requestTimeout).header("User-Agent", USER_AGENT);
      if (method.equals("HEAD")) {
        request.HEAD();
      } else {
        request.GET();
      }
      headers.forEach(request::header);
      Origin here = Origin.of(uri);
      mayAuthenticate &= here.equals(start);
      if (mayAuthenticate && call.token().isPresent() && call.token().get().origin().equals(here)) {
        request.header("Authorization", call.token().get().headerValue());
      }
      HttpResponse<InputStream> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      Optional<String> location = response.headers().firstValue("Location");
      if (!isRedirect(response.statusCode()) || location.isEmpty()) {
        return response;
      }
      URI next = uri.resolve(location.get());
      if (!crossOrigin && !Origin.of(next).equals(here)) {
        return response;
      }
      response.body().close();
      if (hop >= MAX_REDIRECTS) {
        throw new RemoteFailureException(
            "Gave up " + call.what() + " after " + MAX_REDIRECTS + " redirects.",
            "The server redirects in a loop; check the URL or try again later.");
      }
      uri = next;
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static boolean isRetryable(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501);
  }

  private void requireSuccess(Call call, HttpResponse<InputStream> response, InputStream body)
      throws IOException, RetryableAnswer {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return;
    }
    String text = new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
    boolean tokenSent = response.request().headers().firstValue("Authorization").isPresent();
    RetryableAnswer answer =
        new RetryableAnswer(
            call.what(),
            response.uri(),
            status,
            response.headers(),
            text,
            tokenSent,
            retryAfter(response.headers()));
    if (isRetryable(status)) {
      throw answer;
    }
    throw call.errors().toException(answer.problem(1));
  }

  /** The answer's {@code Retry-After}, in seconds or as an HTTP date. */
  static Optional<Duration> retryAfter(HttpHeaders headers) {
    Optional<String> value = headers.firstValue("Retry-After").map(String::strip);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value.get())));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Optional.of(Duration.between(ZonedDateTime.now(at.getZone()), at));
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private static OptionalLong rangeStart(HttpHeaders headers) {
    Optional<String> range = headers.firstValue("Content-Range");
    if (range.isEmpty()) {
      return OptionalLong.empty();
    }
    Matcher m = CONTENT_RANGE.matcher(range.get().strip());
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  private static OptionalLong totalSize(HttpHeaders headers, long start) {
    Optional<String> range = headers.firstValue("Content-Range");
    if (range.isPresent()) {
      Matcher m = CONTENT_RANGE.matcher(range.get().strip());
      if (m.matches() && !m.group(3).equals("*")) {
        return OptionalLong.of(Long.parseLong(m.group(3)));
      }
    }
    OptionalLong length = headers.firstValueAsLong("Content-Length");
    return length.isPresent() ? OptionalLong.of(start + length.getAsLong()) : OptionalLong.empty();
  }

  private static Optional<String> readValidator(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text = Files.readString(file).strip();
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  private static void writeValidator(Path file, Optional<String> etag) throws IOException {
    // A weak ETag cannot vouch for byte ranges, so it is not kept for If-Range.
    if (etag.isPresent() && !etag.get().startsWith("W/")) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, etag.get());
    } else {
      Files.deleteIfExists(file);
    }
  }

  private interface Attempt<T> {
    T run() throws IOException, InterruptedException, RetryableAnswer;
  }

  /** A 408, 429 or 5xx answer: worth another try. */
  private static final class RetryableAnswer extends Exception {
    private final String what;
    private final transient URI uri;
    private final int status;
    private final transient HttpHeaders headers;
    private final String body;
    private final boolean tokenSent;
    private final transient Optional<Duration> retryAfter;

    RetryableAnswer(
        String what,
        URI uri,
        int status,
        HttpHeaders headers,
        String body,
        boolean tokenSent,
        Optional<Duration> retryAfter) {
      super("HTTP " + status, null, false, false);
      this.what = what;
      this.uri = uri;
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.tokenSent = tokenSent;
      this.retryAfter = retryAfter;
    }

    HttpProblem problem(int attempts) {
      return new HttpProblem(what, uri, status, headers, body, tokenSent, attempts);
    }
  }

  private <T> T retrying(Call call, Attempt<T> attempt) {
    for (int tried = 1; ; tried++) {
      Optional<Duration> retryAfter = Optional.empty();
      try {
        return attempt.run();
      } catch (RetryableAnswer answer) {
        if (tried >= retry.maxAttempts()) {
          throw call.errors().toException(answer.problem(tried));
        }
        retryAfter = answer.retryAfter;
      } catch (HttpTimeoutException e) {
        if (tried >= retry.maxAttempts()) {
          throw new TuneTimeoutException(
              "Timed out "
                  + call.what()
                  + " ("
                  + e.getMessage()
                  + "; the limit is "
                  + requestTimeout.toMillis()
                  + " ms) after "
                  + tried
                  + (tried == 1 ? " attempt." : " attempts."),
              "Check the network and try again; a partial download resumes where it stopped.",
              e);
        }
      } catch (IOException e) {
        if (tried >= retry.maxAttempts()) {
          throw new RemoteFailureException(
              "Failed "
                  + call.what()
                  + " at "
                  + Origin.of(call.uri())
                  + " after "
                  + tried
                  + (tried == 1 ? " attempt: " : " attempts: ")
                  + describe(e)
                  + ".",
              "Check the network and try again; a partial download resumes where it stopped.",
              e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw interrupted(call, e);
      }
      try {
        Thread.sleep(retry.delayBefore(tried + 1, retryAfter));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw interrupted(call, e);
      }
    }
  }

  private static RemoteFailureException interrupted(Call call, InterruptedException e) {
    return new RemoteFailureException(
        "Stopped " + call.what() + ": the thread was interrupted.",
        "Run it again; a partial download resumes where it stopped.",
        e);
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + " (" + message + ")";
  }
}
