package dev.tune.local.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.local.process.ProcessIdentity;
import dev.tune.local.store.JsonFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A local endpoint as {@code endpoint.json} keeps it.
 *
 * @param name the endpoint's name, also its directory's
 * @param modelId the registered model it serves ({@code NAME@vN})
 * @param modelDir the model files the server loaded
 * @param port the loopback port it listens on
 * @param process the server process
 * @param createdAt when it was created
 * @param apiKey the key the server requires, if any; the file is readable by its owner only
 * @param healthRoute the path that answers 200 once the model is loaded
 * @param predictRoute the path predictions are posted to
 */
public record EndpointRecord(
    String name,
    String modelId,
    Path modelDir,
    int port,
    ProcessIdentity process,
    Instant createdAt,
    Optional<String> apiKey,
    String healthRoute,
    String predictRoute) {
  /** SageMaker's routes, which the local provider's own servers answer on. */
  static final String PING = "/ping";

  static final String INVOCATIONS = "/invocations";

  public EndpointRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(healthRoute, "healthRoute");
    Objects.requireNonNull(predictRoute, "predictRoute");
  }

  /** An endpoint answering on SageMaker's routes. */
  public EndpointRecord(
      String name,
      String modelId,
      Path modelDir,
      int port,
      ProcessIdentity process,
      Instant createdAt,
      Optional<String> apiKey) {
    this(name, modelId, modelDir, port, process, createdAt, apiKey, PING, INVOCATIONS);
  }

  public URI healthUri() {
    return baseUri().resolve(healthRoute);
  }

  public URI predictUri() {
    return baseUri().resolve(predictRoute);
  }

  /** Where the server answers, e.g. {@code http://127.0.0.1:41234}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  ObjectNode toJson() {
    ObjectNode n = JsonFiles.object();
    n.put("name", name);
    n.put("model", modelId);
    n.put("model_dir", modelDir.toString());
    n.put("port", port);
    n.put("pid", process.pid());
    n.put("process_started_at", process.startedAt().toString());
    n.put("created_at", createdAt.toString());
    apiKey.ifPresent(k -> n.put("api_key", k));
    n.put("health_route", healthRoute);
    n.put("predict_route", predictRoute);
    return n;
  }

  static EndpointRecord fromJson(JsonNode n) {
    return new EndpointRecord(
        n.path("name").asText(),
        n.path("model").asText(),
        Path.of(n.path("model_dir").asText()),
        n.path("port").asInt(),
        new ProcessIdentity(
            n.path("pid").asLong(), Instant.parse(n.path("process_started_at").asText())),
        Instant.parse(n.path("created_at").asText()),
        Optional.ofNullable(n.get("api_key")).map(JsonNode::asText),
        n.path("health_route").asText(PING),
        n.path("predict_route").asText(INVOCATIONS));
  }
}
