package dev.tune.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.error.BadInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a training run measured and generated, as its {@code output/metrics.json} holds it: {@code
 * {"final": {"train_loss": .., "eval_loss": .., ...}, "samples": [{"prompt", "before", "after"}]}}.
 *
 * @param finalMetrics the run's last values by the Trainer's names ({@code train_loss}, {@code
 *     eval_loss}, ...), in file order
 * @param samples base and tuned generations for the sample prompts, in file order
 */
public record ModelMetrics(Map<String, Double> finalMetrics, List<SampleGeneration> samples) {
  public ModelMetrics {
    finalMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(finalMetrics));
    samples = List.copyOf(samples);
  }

  /**
   * Reads the tree of a {@code metrics.json}. Keys it does not know are ignored, so that the file
   * can grow; numbers under {@code final} are kept, other values skipped.
   *
   * @throws BadInputException if {@code json} is not an object or a sample lacks a text
   */
  public static ModelMetrics fromJson(JsonNode json) {
    Objects.requireNonNull(json, "json");
    if (!json.isObject()) {
      throw new BadInputException(
          "metrics.json holds " + json.getNodeType() + ", not an object.",
          "Write it as {\"final\": {...}, \"samples\": [...]}.");
    }
    Map<String, Double> finals = new LinkedHashMap<>();
    json.path("final")
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isNumber()) {
                finals.put(e.getKey(), e.getValue().doubleValue());
              }
            });
    List<SampleGeneration> samples = new ArrayList<>();
    for (JsonNode s : json.path("samples")) {
      samples.add(new SampleGeneration(text(s, "prompt"), text(s, "before"), text(s, "after")));
    }
    return new ModelMetrics(finals, samples);
  }

  private static String text(JsonNode sample, String key) {
    JsonNode value = sample.get(key);
    if (value == null || !value.isTextual()) {
      throw new BadInputException(
          "A sample in metrics.json has no text '" + key + "': " + sample,
          "Each sample needs \"prompt\", \"before\" and \"after\" strings.");
    }
    return value.textValue();
  }
}
