package dev.tune.container.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A training container running as a child process on this machine. */
public final class ContractTraining {
  /** The last line the entrypoint prints on failure, where Vertex users read the reason. */
  static final String FAILED_PREFIX = "tune train failed: ";

  private final StagedJob job;
  private final Process process;
  private final ProcessOutput output;

  ContractTraining(StagedJob job, Process process, ProcessOutput output) {
    this.job = job;
    this.process = process;
    this.output = output;
  }

  public long pid() {
    return process.pid();
  }

  /** The directory laid out as the provider's container. */
  public Path jobDir() {
    return job.root();
  }

  /** Waits for the run to end and collects what it left. */
  public ContractTrainingResult await() throws InterruptedException {
    int exit = process.waitFor();
    output.awaitEnd(TimeUnit.SECONDS.toMillis(10));
    List<String> lines = output.lastLines();
    return new ContractTrainingResult(
        exit,
        job.root(),
        job.modelDir(),
        job.adapterDir(),
        job.metricsFile(),
        job.eventsFile(),
        exit == 0 ? Optional.empty() : failure(lines),
        lines);
  }

  /**
   * Stops the run as the provider stops a job (SIGTERM: the trainer saves a checkpoint), killing it
   * if it has not ended within {@code grace}.
   */
  public void stop(Duration grace) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private Optional<String> failure(List<String> lines) {
    Optional<Path> file = job.failureFile();
    if (file.isPresent() && Files.isRegularFile(file.get())) {
      try {
        return Optional.of(Files.readString(file.get(), StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.get(), e);
      }
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith(FAILED_PREFIX)) {
        return Optional.of(lines.get(i).substring(FAILED_PREFIX.length()));
      }
    }
    return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1));
  }
}
