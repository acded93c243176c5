package dev.tune.container.train;

import dev.tune.core.JobRef;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The local provider's job directory:
 *
 * <pre>
 * DIR/spec.json                the spec (TrainSpecJson), without secrets
 * DIR/output/model/            the merged model (or the adapter when merge_adapter is false)
 * DIR/output/adapter/          the peft adapter
 * DIR/output/metrics.json      final metrics and before/after samples
 * DIR/output/report.html       the training report
 * DIR/output/logs/             TensorBoard event files
 * DIR/checkpoints/checkpoint-N a run resumes from the newest
 * DIR/events.jsonl             one JSON event per line
 * DIR/failure                  the reason, on failure
 * </pre>
 */
public final class LocalLayout implements TrainLayout {
  static final String SPEC_FILE = "spec.json";

  private final Path jobDir;

  public LocalLayout(Path jobDir) {
    this.jobDir = Objects.requireNonNull(jobDir, "jobDir").toAbsolutePath().normalize();
  }

  public Path jobDir() {
    return jobDir;
  }

  @Override
  public JobRef job() {
    Path name = jobDir.getFileName();
    return new JobRef("local", name == null ? "local-job" : name.toString());
  }

  @Override
  public TrainSpec readSpec(Storage storage) {
    return TrainSpecJson.read(jobDir.resolve(SPEC_FILE));
  }

  @Override
  public JobOutputs outputs() {
    return JobOutputs.under(
        jobDir.resolve("output"), jobDir.resolve("checkpoints"), jobDir.resolve("events.jsonl"));
  }

  @Override
  public Optional<Path> failureFile() {
    return Optional.of(jobDir.resolve("failure"));
  }

  @Override
  public Path workDir() {
    return jobDir.resolve("work");
  }
}
