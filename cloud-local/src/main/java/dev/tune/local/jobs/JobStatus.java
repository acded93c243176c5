package dev.tune.local.jobs;

import dev.tune.core.job.JobState;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides a job's state from what can be observed: its events, its {@code failure} file, whether
 * its process runs and whether a cancel was asked. No process writes the final state, so a job
 * whose CLI is long gone still reads correctly.
 *
 * @param state the job's state
 * @param message the progress or the reason for failing
 */
record JobStatus(JobState state, Optional<String> message) {

  /**
   * @param failureFile the content of {@code failure}, if the process wrote one
   * @param logTail the last lines of the process's log, quoted when it died without a reason
   */
  static JobStatus of(
      JobRecord record,
      JobEvents events,
      boolean alive,
      Optional<String> failureFile,
      List<String> logTail) {
    if (events.done()) {
      return new JobStatus(JobState.SUCCEEDED, progress(events));
    }
    if (alive) {
      if (record.cancelRequested()) {
        return new JobStatus(JobState.STOPPING, Optional.of("cancelling"));
      }
      if (events.state().isEmpty()) {
        return new JobStatus(JobState.PENDING, Optional.of("starting the training process"));
      }
      return new JobStatus(JobState.RUNNING, progress(events));
    }
    if (record.cancelRequested()) {
      return new JobStatus(JobState.CANCELLED, Optional.of("cancelled"));
    }
    Optional<String> reason =
        failureFile.map(String::strip).filter(r -> !r.isEmpty()).or(events::failure);
    if (reason.isPresent()) {
      return new JobStatus(JobState.FAILED, reason);
    }
    if (events.stopped()) {
      return new JobStatus(
          JobState.FAILED,
          Optional.of(
              "the training process was stopped (SIGTERM) after saving a checkpoint. Resume it"
                  + " with: tune train --resume "
                  + record.id()));
    }
    String message =
        "the training process ended without finishing (killed, or out of memory?). Resume it from"
            + " its last checkpoint with: tune train --resume "
            + record.id();
    if (!logTail.isEmpty()) {
      message += "\nThe end of its log:\n  " + String.join("\n  ", logTail);
    }
    return new JobStatus(JobState.FAILED, Optional.of(message));
  }

  /** {@code TRAINING, step 40, loss 1.2345, learning_rate 0.0002}. */
  private static Optional<String> progress(JobEvents events) {
    StringBuilder text = new StringBuilder();
    events.state().ifPresent(text::append);
    events.step().ifPresent(s -> append(text, "step " + s));
    if (!events.metrics().isEmpty()) {
      append(
          text,
          events.metrics().entrySet().stream()
              .map(JobStatus::metric)
              .collect(Collectors.joining(", ")));
    }
    return text.isEmpty() ? Optional.empty() : Optional.of(text.toString());
  }

  private static String metric(Map.Entry<String, Double> m) {
    return m.getKey() + " " + String.format(Locale.ROOT, "%.4g", m.getValue());
  }

  private static void append(StringBuilder text, String part) {
    if (!text.isEmpty()) {
      text.append(", ");
    }
    text.append(part);
  }
}
