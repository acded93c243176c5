package dev.tune.local.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.local.store.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a job's {@code events.jsonl} says: the entrypoint appends one JSON object per line ({@code
 * {"type":"state","state":..}}, {@code {"type":"metrics","step":..,"loss":..}}, {@code
 * {"type":"eval",..}}, {@code {"type":"done"}}, {@code {"type":"failed","reason":..}}, {@code
 * {"type":"stopped"}} after a SIGTERM).
 *
 * <p>A resumed job appends to the same file; only the lines after the latest attempt's offset
 * decide its state, while metrics carry over from earlier attempts.
 *
 * @param state the latest attempt's last reported state, such as {@code TRAINING}
 * @param step the optimizer step of the last metrics
 * @param metrics the last value of each metric, by name
 * @param done whether the latest attempt reported success
 * @param failure the reason the latest attempt reported for failing
 * @param stopped whether the latest attempt stopped on a SIGTERM after saving a checkpoint
 */
record JobEvents(
    Optional<String> state,
    OptionalLong step,
    Map<String, Double> metrics,
    boolean done,
    Optional<String> failure,
    boolean stopped) {

  static JobEvents read(Path file, long attemptOffset) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new JobEvents(
          Optional.empty(), OptionalLong.empty(), Map.of(), false, Optional.empty(), false);
    }
    Optional<String> state = Optional.empty();
    OptionalLong step = OptionalLong.empty();
    Map<String, Double> metrics = new LinkedHashMap<>();
    boolean done = false;
    boolean stopped = false;
    Optional<String> failure = Optional.empty();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      boolean latestAttempt = start >= attemptOffset;
      Optional<JsonNode> event = parse(new String(bytes, start, i - start, StandardCharsets.UTF_8));
      start = i + 1;
      if (event.isEmpty()) {
        continue;
      }
      JsonNode e = event.get();
      switch (e.path("type").asText()) {
        case "metrics", "eval" -> {
          if (e.path("step").canConvertToLong()) {
            step = OptionalLong.of(e.path("step").asLong());
          }
          for (Map.Entry<String, JsonNode> field : e.properties()) {
            if (field.getValue().isNumber() && !field.getKey().equals("step")) {
              metrics.put(field.getKey(), field.getValue().asDouble());
            }
          }
        }
        case "state" -> {
          if (latestAttempt) {
            state = Optional.of(e.path("state").asText());
          }
        }
        case "done" -> done |= latestAttempt;
        case "stopped" -> stopped |= latestAttempt;
        case "failed" -> {
          if (latestAttempt) {
            failure = Optional.of(e.path("reason").asText("failed"));
          }
        }
        default -> {}
      }
    }
    return new JobEvents(state, step, Collections.unmodifiableMap(metrics), done, failure, stopped);
  }

  private static Optional<JsonNode> parse(String line) {
    if (line.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JsonFiles.parse(line));
    } catch (IOException e) {
      return Optional.empty(); // a line cut short by a killed process
    }
  }
}
