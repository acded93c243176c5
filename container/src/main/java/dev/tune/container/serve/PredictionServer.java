package dev.tune.container.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP prediction server: the health route and the predict route of one {@link ServerConfig},
 * on the JDK's HTTP server with a virtual thread per request.
 *
 * <p>It listens at once and loads the model on another thread; health answers 503 until the model
 * is loaded, then 200. {@link #stop()} stops accepting, lets requests in flight finish (up to the
 * shutdown grace), then frees the model.
 */
public final class PredictionServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PredictionServer.class);

  private enum State {
    LOADING,
    READY,
    FAILED,
    STOPPING,
    STOPPED
  }

  private final ServerConfig config;
  private final HttpServer http;
  private final ExecutorService executor;
  private final ApiKeyCheck apiKey;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong requests = new AtomicLong();
  private final Object lock = new Object();
  private final Thread loader;

  // Guarded by lock; read without it where a stale value only delays a state change by a request.
  private volatile State state = State.LOADING;
  private volatile Serving serving;
  private volatile PredictHandler predict;
  private volatile Throwable loadFailure;

  private PredictionServer(ServerConfig config, ModelLoader modelLoader) throws IOException {
    this.config = config;
    this.apiKey = new ApiKeyCheck(config.apiKey());
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    this.loader = Thread.ofPlatform().name("tune-model-loader").unstarted(() -> load(modelLoader));
  }

  /** Starts a server for the model in {@code config.modelDir()}. */
  public static PredictionServer start(ServerConfig config) {
    return start(config, ServedModel::load);
  }

  /**
   * Binds the port and starts loading the model with {@code loader}; returns once the server
   * listens (health answers 503 until the model is loaded).
   *
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static PredictionServer start(ServerConfig config, ModelLoader loader) {
    PredictionServer server;
    try {
      server = new PredictionServer(config, loader);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    server.http.start();
    server.loader.start();
    return server;
  }

  private void load(ModelLoader modelLoader) {
    ServedModel model;
    try {
      model = modelLoader.load(config.modelDir());
    } catch (RuntimeException | Error e) {
      synchronized (lock) {
        loadFailure = e;
        if (state == State.LOADING) {
          state = State.FAILED;
        }
      }
      LOG.error("Loading the model from {} failed", config.modelDir(), e);
      ready.completeExceptionally(e);
      return;
    }
    synchronized (lock) {
      if (state != State.LOADING) {
        model.close();
        ready.completeExceptionally(new IllegalStateException("the server stopped while loading"));
        return;
      }
      Serving started = Serving.start(model, config);
      serving = started;
      predict = new PredictHandler(started, config.limits());
      state = State.READY;
    }
    ready.complete(null);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        dispatch(exchange);
      } catch (ApiError e) {
        respond(exchange, e);
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        respond(exchange, ApiError.internal("The server failed: " + e));
      }
    }
  }

  private void dispatch(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals(config.healthRoute())) {
      requireMethod(exchange, "GET");
      health(exchange);
      return;
    }
    apiKey.check(exchange.getRequestHeaders());
    if (!path.equals(config.predictRoute())) {
      throw ApiError.notFound(
          "No route "
              + path
              + "; this server answers GET "
              + config.healthRoute()
              + " and POST "
              + config.predictRoute()
              + ".");
    }
    requireMethod(exchange, "POST");
    requests.incrementAndGet();
    PredictHandler handler = predict;
    if (state != State.READY || handler == null) {
      throw ApiError.unavailable(notServingReason());
    }
    handler.handle(exchange);
  }

  private static void requireMethod(HttpExchange exchange, String allowed) {
    String method = exchange.getRequestMethod();
    if (!method.equals(allowed)) {
      exchange.getResponseHeaders().set("Allow", allowed);
      throw ApiError.methodNotAllowed(
          method
              + " is not allowed on "
              + exchange.getRequestURI().getPath()
              + "; use "
              + allowed
              + ".");
    }
  }

  private static void respond(HttpExchange exchange, ApiError error) throws IOException {
    if (exchange.getResponseCode() != -1) {
      return; // The answer has started (a stream); the connection closes with the exchange.
    }
    if (error.status() == 401) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
    }
    Exchanges.sendError(exchange, error);
  }

  private void health(HttpExchange exchange) throws IOException {
    State now = state;
    if (now == State.READY) {
      Exchanges.sendJson(exchange, 200, Map.of("status", "ready"));
    } else {
      Exchanges.sendJson(
          exchange,
          503,
          Map.of("status", now.name().toLowerCase(Locale.ROOT), "message", notServingReason()));
    }
  }

  private String notServingReason() {
    return switch (state) {
      case LOADING -> "The model is still loading; retry when the health route answers 200.";
      case FAILED -> "The model failed to load: " + loadFailure;
      case STOPPING, STOPPED -> "The server is shutting down.";
      case READY -> "The server is ready.";
    };
  }

  /** The port the server listens on (the chosen one when the config asked for port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  public ServerConfig config() {
    return config;
  }

  /** Whether the model is loaded and the server takes predictions. */
  public boolean isReady() {
    return state == State.READY;
  }

  /** Completes when the model is loaded; completes exceptionally if loading fails. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  public ServerMetrics metrics() {
    Serving s = serving;
    if (s == null) {
      return new ServerMetrics(requests.get(), 0, 0, 0, 0, 0);
    }
    BatchScheduler scheduler = s.scheduler();
    return new ServerMetrics(
        requests.get(),
        scheduler.batches(),
        scheduler.sequences(),
        scheduler.generatedTokens(),
        scheduler.largestBatch(),
        scheduler.queued());
  }

  /**
   * Stops gracefully: health turns 503 and the port closes, requests in flight finish (for up to
   * the config's shutdown grace), then the model is freed. Safe to call more than once and from
   * several threads; every call returns once the server has stopped.
   */
  public void stop() {
    synchronized (lock) {
      if (state == State.STOPPING || state == State.STOPPED) {
        awaitStopped();
        return;
      }
      state = State.STOPPING;
    }
    Duration grace = config.shutdownGrace();
    try {
      // HttpServer.stop closes the port, then waits for the exchanges in flight, whole seconds.
      http.stop((int) Math.max(1, (grace.toMillis() + 999) / 1000));
      Serving s = serving;
      if (s != null) {
        if (s.scheduler().close(grace)) {
          s.model().close();
        } else {
          LOG.warn("Decoding did not end within {}; leaving the model to the process exit", grace);
        }
      }
      executor.shutdown();
      if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      state = State.STOPPED;
      stopped.countDown();
    }
  }

  /** Blocks until the server has stopped. */
  public void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
