package dev.tune.local.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.local.store.JsonFiles;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a model in the local registry, as {@code model.json} keeps it.
 *
 * @param name the model's name
 * @param version 1, 2, ...: the order in which versions of the name were registered
 * @param createdAt when it was registered
 * @param source where the files were copied from
 * @param jobId the local training job that produced it, when it came from one
 * @param baseModel the model that job fine-tuned ({@code model.base} of its spec)
 * @param data the job's training data ({@code data.train} of its spec)
 * @param metrics the job's {@code metrics.json} (final losses, {@code samples}), when it wrote one
 */
public record ModelRecord(
    String name,
    int version,
    Instant createdAt,
    String source,
    Optional<String> jobId,
    Optional<String> baseModel,
    Optional<String> data,
    Optional<JsonNode> metrics) {

  /** Separates name and version in an id: {@code support-bot@v2}. */
  public static final String VERSION_SEPARATOR = "@v";

  public ModelRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(baseModel, "baseModel");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** The id a {@link dev.tune.core.ModelRef} carries: {@code NAME@vVERSION}. */
  public String id() {
    return name + VERSION_SEPARATOR + version;
  }

  ObjectNode toJson() {
    ObjectNode n = JsonFiles.object();
    n.put("name", name);
    n.put("version", version);
    n.put("created_at", createdAt.toString());
    n.put("source", source);
    jobId.ifPresent(v -> n.put("job_id", v));
    baseModel.ifPresent(v -> n.put("base_model", v));
    data.ifPresent(v -> n.put("data", v));
    metrics.ifPresent(v -> n.set("metrics", v));
    return n;
  }

  static ModelRecord fromJson(JsonNode n) {
    return new ModelRecord(
        n.path("name").asText(),
        n.path("version").asInt(),
        Instant.parse(n.path("created_at").asText()),
        n.path("source").asText(),
        text(n, "job_id"),
        text(n, "base_model"),
        text(n, "data"),
        Optional.ofNullable(n.get("metrics")).filter(JsonNode::isObject));
  }

  private static Optional<String> text(JsonNode n, String field) {
    return Optional.ofNullable(n.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText);
  }
}
