package dev.tune.local.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.local.store.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model directory came from, read from the files around it. A local training job writes
 * {@code JOB/output/model/}, {@code JOB/output/metrics.json}, {@code JOB/spec.json} and {@code
 * JOB/job.json}; a model directory elsewhere may still have a {@code metrics.json} beside it.
 *
 * @param jobId the job's directory name, when the model is a local job's output
 * @param baseModel {@code model.base} of the job's spec
 * @param data {@code data.train} of the job's spec
 * @param metricsFile the {@code metrics.json} beside the model directory
 * @param specFile the job's {@code spec.json}
 */
record Lineage(
    Optional<String> jobId,
    Optional<String> baseModel,
    Optional<String> data,
    Optional<Path> metricsFile,
    Optional<Path> specFile) {

  static Lineage of(Path modelDir) throws IOException {
    Path outputDir = modelDir.getParent();
    if (outputDir == null) {
      return new Lineage(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
    Optional<Path> metrics = regularFile(outputDir.resolve("metrics.json"));
    Path jobDir = outputDir.getParent();
    boolean fromJob =
        jobDir != null
            && outputDir.getFileName().toString().equals("output")
            && Files.isRegularFile(jobDir.resolve("job.json"));
    if (!fromJob) {
      return new Lineage(
          Optional.empty(), Optional.empty(), Optional.empty(), metrics, Optional.empty());
    }
    Optional<Path> spec = regularFile(jobDir.resolve("spec.json"));
    Optional<JsonNode> tree = spec.isPresent() ? JsonFiles.read(spec.get()) : Optional.empty();
    return new Lineage(
        Optional.of(jobDir.getFileName().toString()),
        tree.flatMap(t -> text(t, "model", "base")),
        tree.flatMap(t -> text(t, "data", "train")),
        metrics,
        spec);
  }

  private static Optional<Path> regularFile(Path file) {
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  private static Optional<String> text(JsonNode tree, String section, String key) {
    JsonNode value = tree.path(section).path(key);
    return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
  }
}
