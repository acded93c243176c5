package dev.tune.container.contract;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a local run of a provider's training contract left behind.
 *
 * @param exitCode the child's exit code; 0 is success
 * @param jobDir the directory laid out as the provider's container
 * @param modelDir the model, as the provider would upload it
 * @param adapterDir the peft adapter
 * @param metricsFile final metrics and before/after samples
 * @param eventsFile one JSON event per line
 * @param failure the reason of a failure, as the provider would show it
 * @param lastLines the child's last lines of output
 */
public record ContractTrainingResult(
    int exitCode,
    Path jobDir,
    Path modelDir,
    Path adapterDir,
    Path metricsFile,
    Path eventsFile,
    Optional<String> failure,
    List<String> lastLines) {
  public ContractTrainingResult {
    Objects.requireNonNull(jobDir, "jobDir");
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(adapterDir, "adapterDir");
    Objects.requireNonNull(metricsFile, "metricsFile");
    Objects.requireNonNull(eventsFile, "eventsFile");
    Objects.requireNonNull(failure, "failure");
    lastLines = List.copyOf(lastLines);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }
}
