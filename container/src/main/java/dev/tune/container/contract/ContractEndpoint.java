package dev.tune.container.contract;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A serving container running as a child process on this machine, answering on loopback with the
 * provider's routes.
 */
public final class ContractEndpoint implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final ProcessOutput output;
  private final int port;
  private final String healthRoute;
  private final String predictRoute;

  ContractEndpoint(
      Path dir,
      Process process,
      ProcessOutput output,
      int port,
      String healthRoute,
      String predictRoute) {
    this.dir = dir;
    this.process = process;
    this.output = output;
    this.port = port;
    this.healthRoute = healthRoute;
    this.predictRoute = predictRoute;
  }

  public long pid() {
    return process.pid();
  }

  /** The directory laid out as the provider's serving container. */
  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  public URI healthUri() {
    return URI.create("http://127.0.0.1:" + port + healthRoute);
  }

  public URI predictUri() {
    return URI.create("http://127.0.0.1:" + port + predictRoute);
  }

  /**
   * Waits until the health route answers 200, as the provider waits before sending traffic.
   *
   * @throws IllegalStateException if the server exits first or is not ready within {@code timeout}
   */
  public ContractEndpoint awaitReady(Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the server exited with " + process.exitValue() + "; last lines: " + lastLines());
      }
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(healthUri()).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the server was not ready within " + timeout + "; last lines: " + lastLines());
  }

  public List<String> lastLines() {
    return output.lastLines();
  }

  /** Stops the server as the provider does (SIGTERM, requests in flight finish); kills it late. */
  public int stop(Duration grace) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
    }
    return process.exitValue();
  }

  /** Stops the server if it still runs; an interrupted wait kills it. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      stop(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
