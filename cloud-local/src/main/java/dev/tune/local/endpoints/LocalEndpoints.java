package dev.tune.local.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.container.contract.ChildJvm;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.provider.LocalContract;
import dev.tune.core.storage.FileLocks;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.storage.LocalTree;
import dev.tune.local.contract.ContractServeMain;
import dev.tune.local.process.DetachedLauncher;
import dev.tune.local.process.ProcessIdentity;
import dev.tune.local.store.Directories;
import dev.tune.local.store.JsonFiles;
import dev.tune.local.store.LogTail;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Local endpoints: each a prediction server process of its own on a free loopback port, started
 * detached so it keeps serving after the CLI exits. {@code ROOT/NAME/endpoint.json} keeps the
 * process and port; the server's output goes to {@code serve.log} and {@code serve.err.log} beside
 * it.
 *
 * <p>Under a cloud contract ({@link LocalContract#SAGEMAKER}, {@link LocalContract#VERTEX}) the
 * process is a {@link ContractServeMain}, which serves the model the way that provider's container
 * does, in {@code ROOT/NAME/contract/}, and tells its port and routes in {@code contract.json}.
 */
public final class LocalEndpoints {
  /** The server's own graceful stop waits up to 30 s for requests in flight. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(40);

  private static final String API_KEY_VARIABLE = "TUNE_API_KEY";

  /** Staging the model and picking a port come before the server loads anything. */
  private static final Duration CONTRACT_START = Duration.ofMinutes(2);

  private final Path root;
  private final ChildJvm java;
  private final String serveMain;
  private final LocalContract contract;
  private final DetachedLauncher launcher;
  private final ServerConnection connection;

  public LocalEndpoints(Path root, ChildJvm java, String serveMain, HttpClient http) {
    this(root, java, serveMain, http, LocalContract.LOCAL);
  }

  /** Endpoints whose servers are started under {@code contract}. */
  public LocalEndpoints(
      Path root, ChildJvm java, String serveMain, HttpClient http, LocalContract contract) {
    this.root = root.toAbsolutePath().normalize();
    this.java = java;
    this.serveMain = serveMain;
    this.contract = Objects.requireNonNull(contract, "contract");
    this.launcher = DetachedLauncher.create();
    this.connection = new ServerConnection(http);
  }

  /**
   * Starts a server for the model files in {@code modelDir} as endpoint {@code name}; returns once
   * the process runs (the model loads in the background: describe says CREATING until it serves).
   *
   * @throws ConflictException if an endpoint of that name is running
   */
  public EndpointRecord create(
      String name, String modelId, Path modelDir, Optional<String> apiKey) {
    Path dir = root.resolve(name);
    try {
      return FileLocks.withLock(
          root.resolve("endpoints.lock"),
          () -> {
            Optional<EndpointRecord> existing = read(name);
            if (existing.isPresent() && existing.get().process().isAlive()) {
              throw new ConflictException(
                  "Endpoint '" + name + "' already runs, serving " + existing.get().modelId() + ".",
                  "Delete it first (tune endpoints delete "
                      + name
                      + " --provider local) or choose another endpoint name.");
            }
            LocalTree.delete(dir);
            Directories.createPrivate(dir);
            EndpointRecord record =
                contract == LocalContract.LOCAL
                    ? startServer(name, modelId, modelDir, apiKey, dir)
                    : startContractServer(name, modelId, modelDir, apiKey, dir);
            JsonFiles.write(dir.resolve("endpoint.json"), record.toJson());
            return record;
          });
    } catch (IOException e) {
      throw LocalFiles.failure("starting endpoint " + name + " in " + dir, e);
    }
  }

  private EndpointRecord startServer(
      String name, String modelId, Path modelDir, Optional<String> apiKey, Path dir)
      throws IOException {
    int port = freePort();
    List<String> args =
        List.of(
            "serve",
            "--contract",
            "sagemaker",
            "--model-dir",
            modelDir.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port));
    ProcessIdentity process =
        launcher.start(
            java.command(serveMain, args),
            environment(apiKey),
            dir,
            dir.resolve("serve.log"),
            dir.resolve("serve.err.log"));
    return new EndpointRecord(name, modelId, modelDir, port, process, Instant.now(), apiKey);
  }

  private EndpointRecord startContractServer(
      String name, String modelId, Path modelDir, Optional<String> apiKey, Path dir)
      throws IOException {
    List<String> args = List.of(contract.id(), modelDir.toString(), dir.toString());
    ProcessIdentity process =
        launcher.start(
            java.command(ContractServeMain.class.getName(), args),
            environment(apiKey),
            dir,
            dir.resolve("serve.log"),
            dir.resolve("serve.err.log"));
    JsonNode state = awaitContractState(dir, process);
    return new EndpointRecord(
        name,
        modelId,
        modelDir,
        state.path("port").asInt(),
        process,
        Instant.now(),
        apiKey,
        state.path("health_route").asText(),
        state.path("predict_route").asText());
  }

  /** Waits until the contract's process has staged the model and started the server. */
  private JsonNode awaitContractState(Path dir, ProcessIdentity process) throws IOException {
    Path file = dir.resolve(ContractServeMain.STATE_FILE);
    Instant until = Instant.now().plus(CONTRACT_START);
    while (Instant.now().isBefore(until)) {
      Optional<JsonNode> state = JsonFiles.read(file);
      if (state.isPresent()) {
        return state.get();
      }
      if (!process.isAlive()) {
        break;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    process.live().ifPresent(ProcessHandle::destroyForcibly);
    throw new RemoteFailureException(
        "The "
            + contract.id()
            + " server of "
            + dir.getFileName()
            + " did not start: "
            + (process.isAlive() ? "no port within " + CONTRACT_START : "its process ended")
            + tail(dir.resolve("serve.err.log")),
        "Read " + dir.resolve("serve.err.log") + ", then deploy again.");
  }

  private static Map<String, String> environment(Optional<String> apiKey) {
    Map<String, String> env = new HashMap<>();
    // The key goes through the environment, not the command line that ps shows.
    env.put(API_KEY_VARIABLE, apiKey.orElse(null));
    env.put("OPT_OUT_TRACKING", "true");
    return env;
  }

  /** Every endpoint, newest first. */
  public List<EndpointStatus> list() throws InterruptedException {
    List<EndpointStatus> result = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return result;
    }
    List<Path> dirs;
    try (Stream<Path> entries = Files.list(root)) {
      dirs = entries.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw LocalFiles.failure("listing the endpoints in " + root, e);
    }
    for (Path dir : dirs) {
      Optional<EndpointRecord> record = read(dir.getFileName().toString());
      if (record.isPresent()) {
        result.add(status(record.get()));
      }
    }
    result.sort(Comparator.comparing((EndpointStatus s) -> s.record().createdAt()).reversed());
    return result;
  }

  /**
   * The endpoint's state: IN_SERVICE once its health route answers, CREATING while the process
   * loads the model, FAILED once the process is gone.
   */
  public EndpointStatus describe(String name) throws InterruptedException {
    return status(require(name));
  }

  /** Stops the endpoint's server gracefully (SIGTERM, then a kill after a grace period). */
  public void delete(String name) throws InterruptedException {
    EndpointRecord record = require(name);
    record.process().stop(STOP_GRACE);
    try {
      FileLocks.withLock(
          root.resolve("endpoints.lock"),
          () -> {
            // Another CLI may have recreated it meanwhile; leave a running one alone.
            Optional<EndpointRecord> now = read(name);
            if (now.isPresent() && now.get().process().equals(record.process())) {
              LocalTree.delete(root.resolve(name));
            }
            return null;
          });
    } catch (IOException e) {
      throw LocalFiles.failure("deleting endpoint " + name + " in " + root, e);
    }
  }

  /** Sends the prompts to the endpoint's server in one request. */
  public List<Prediction> predict(String name, List<Prompt> prompts) throws InterruptedException {
    EndpointRecord record = require(name);
    if (!record.process().isAlive()) {
      throw new RemoteFailureException(
          "Endpoint '" + name + "' is not running: its server process has ended.",
          "Read "
              + root.resolve(name).resolve("serve.err.log")
              + ", then delete the endpoint and deploy it again.");
    }
    return connection.predict(record, prompts);
  }

  private EndpointStatus status(EndpointRecord record) throws InterruptedException {
    if (!record.process().isAlive()) {
      return new EndpointStatus(
          record,
          EndpointState.FAILED,
          Optional.of(
              "The server process ("
                  + record.process().pid()
                  + ") has ended; its log: "
                  + root.resolve(record.name()).resolve("serve.err.log")
                  + tail(root.resolve(record.name()).resolve("serve.err.log"))));
    }
    if (connection.healthy(record)) {
      return new EndpointStatus(record, EndpointState.IN_SERVICE, Optional.empty());
    }
    return new EndpointStatus(
        record, EndpointState.CREATING, Optional.of("loading " + record.modelDir()));
  }

  private EndpointRecord require(String name) {
    try {
      return readChecked(name)
          .orElseThrow(
              () ->
                  new NotFoundException(
                      "No local endpoint '" + name + "' (in " + root + ").",
                      "List the endpoints with: tune endpoints list --provider local"));
    } catch (IOException e) {
      throw LocalFiles.failure("reading endpoint " + name, e);
    }
  }

  private Optional<EndpointRecord> read(String name) {
    try {
      return readChecked(name);
    } catch (IOException e) {
      throw LocalFiles.failure("reading endpoint " + name, e);
    }
  }

  private Optional<EndpointRecord> readChecked(String name) throws IOException {
    if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
      return Optional.empty();
    }
    return JsonFiles.read(root.resolve(name).resolve("endpoint.json"))
        .map(EndpointRecord::fromJson);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path log) {
    List<String> lines = LogTail.of(log, 5);
    return lines.isEmpty() ? "" : "\n" + String.join("\n", lines);
  }
}
