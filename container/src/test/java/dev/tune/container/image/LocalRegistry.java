package dev.tune.container.image;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's {@code docker-registry} on a free loopback port, storing into a temporary directory;
 * what the tests push to. Counts the blobs it stores, so a test sees what a push uploaded.
 */
final class LocalRegistry implements AutoCloseable {
  private final Process process;
  private final Path storage;
  private final int port;

  private LocalRegistry(Process process, Path storage, int port) {
    this.process = process;
    this.storage = storage;
    this.port = port;
  }

  static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/docker-registry"));
  }

  static LocalRegistry start(Path dir) throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path storage = Files.createDirectories(dir.resolve("data"));
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        """
        version: 0.1
        log:
          level: error
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: %s
        http:
          addr: 127.0.0.1:%d
        """
            .formatted(storage, port),
        StandardCharsets.UTF_8);
    Process process =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    LocalRegistry registry = new LocalRegistry(process, storage, port);
    registry.awaitReady(dir.resolve("registry.log"));
    return registry;
  }

  private void awaitReady(Path log) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited: " + Files.readString(log));
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IOException("docker-registry did not answer within 20 s: " + Files.readString(log));
  }

  /** {@code 127.0.0.1:PORT}; Jib and skopeo treat it as a registry host. */
  String address() {
    return "localhost:" + port;
  }

  /** The blobs stored so far (layers, configs and manifests), by digest, with their sizes. */
  Map<String, Long> blobs() throws IOException {
    Path root = storage.resolve("docker/registry/v2/blobs/sha256");
    Map<String, Long> blobs = new HashMap<>();
    if (!Files.isDirectory(root)) {
      return blobs;
    }
    try (Stream<Path> data = Files.walk(root)) {
      for (Path file : data.filter(p -> p.getFileName().toString().equals("data")).toList()) {
        blobs.put("sha256:" + file.getParent().getFileName(), Files.size(file));
      }
    }
    return blobs;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
