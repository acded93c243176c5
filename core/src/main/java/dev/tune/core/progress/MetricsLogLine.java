package dev.tune.core.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.ResourceRef;
import dev.tune.core.job.LogLine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the machine-readable line the train entrypoint logs once per logging step: a JSON object of
 * the shape of its {@code events.jsonl} metrics entries, {@code {"type":"metrics","step":12,
 * "loss":1.93,"learning_rate":2e-4}} (or {@code "type":"eval"} with {@code eval_loss}), possibly
 * after a prefix that a log service adds (a time, a stream name). Any log of any provider carries
 * it the same way, so following a job shows the same progress everywhere.
 */
public final class MetricsLogLine {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TYPES = Set.of("metrics", "eval");

  private MetricsLogLine() {}

  /** The metrics {@code line} reports for {@code job}, if it is a metrics line. */
  public static Optional<MetricsReported> parse(LogLine line, ResourceRef job) {
    String text = line.text();
    int start = text.indexOf('{');
    if (start < 0 || !text.contains("\"type\"")) {
      return Optional.empty();
    }
    JsonNode json;
    try {
      json = JSON.readTree(text.substring(start));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (json == null
        || !json.isObject()
        || !TYPES.contains(json.path("type").asText())
        || !json.path("step").canConvertToLong()) {
      return Optional.empty();
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    json.properties()
        .forEach(
            e -> {
              if (!e.getKey().equals("step") && e.getValue().isNumber()) {
                metrics.put(e.getKey(), e.getValue().doubleValue());
              }
            });
    return Optional.of(
        new MetricsReported(line.time(), job, json.path("step").longValue(), metrics));
  }
}
