package dev.tune.container.train;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one run writes what it produces, as local paths.
 *
 * @param modelDir the model to deploy: the merged Hugging Face model, or the adapter when {@code
 *     output.merge_adapter} is false
 * @param adapterDir the peft adapter
 * @param metricsFile final metrics and the before/after samples
 * @param reportFile the HTML training report
 * @param logDir TensorBoard event files
 * @param checkpointDir {@code checkpoint-N} directories; a run resumes from the newest
 * @param eventsFile one JSON event per line
 */
public record JobOutputs(
    Path modelDir,
    Path adapterDir,
    Path metricsFile,
    Path reportFile,
    Path logDir,
    Path checkpointDir,
    Path eventsFile) {
  public JobOutputs {
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(adapterDir, "adapterDir");
    Objects.requireNonNull(metricsFile, "metricsFile");
    Objects.requireNonNull(reportFile, "reportFile");
    Objects.requireNonNull(logDir, "logDir");
    Objects.requireNonNull(checkpointDir, "checkpointDir");
    Objects.requireNonNull(eventsFile, "eventsFile");
  }

  /**
   * Outputs grouped in one directory, as the local provider and the Vertex contract lay them out:
   * {@code model/}, {@code adapter/}, {@code metrics.json}, {@code report.html}, {@code logs/}.
   */
  static JobOutputs under(Path outputDir, Path checkpointDir, Path eventsFile) {
    return new JobOutputs(
        outputDir.resolve("model"),
        outputDir.resolve("adapter"),
        outputDir.resolve("metrics.json"),
        outputDir.resolve("report.html"),
        outputDir.resolve("logs"),
        checkpointDir,
        eventsFile);
  }
}
