package dev.tune.core.storage.http;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The HTTP settings of a storage backend that talks through {@link HttpTransfer}: its backend
 * builder extends this one, so every such backend takes them alike and makes its transfer alike.
 *
 * @param <B> the backend's own builder, returned by each setter so that calls chain
 */
public abstract class HttpBackendBuilder<B extends HttpBackendBuilder<B>> {
  private HttpClient client;
  private RetryPolicy retry = RetryPolicy.defaults();
  private Duration requestTimeout = Duration.ofSeconds(60);

  protected HttpBackendBuilder() {}

  /** This builder, as the backend's own type. */
  protected abstract B self();

  /** The client to use; it must not follow redirects itself. */
  public B httpClient(HttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
    return self();
  }

  public B retryPolicy(RetryPolicy retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return self();
  }

  /** How long to wait for an answer's headers, and for the next bytes of a body. */
  public B requestTimeout(Duration timeout) {
    this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
    return self();
  }

  /**
   * A transfer with the settings as they are now, made on the first {@code get()}: a backend is
   * also built just to learn its schemes, and that must not build an HTTP client.
   */
  protected final Supplier<HttpTransfer> lazyTransfer() {
    HttpClient given = client;
    RetryPolicy retryPolicy = retry;
    Duration timeout = requestTimeout;
    return new Supplier<>() {
      private HttpTransfer transfer;

      @Override
      public synchronized HttpTransfer get() {
        if (transfer == null) {
          transfer =
              new HttpTransfer(
                  given != null ? given : HttpTransfer.defaultClient(), retryPolicy, timeout);
        }
        return transfer;
      }
    };
  }
}
