package dev.tune.core.job;

import java.time.Instant;
import java.util.Objects;

/**
 * One line a training job wrote to its log.
 *
 * @param time when it was written, as the provider's log service recorded it
 * @param text the line, without the line break
 */
public record LogLine(Instant time, String text) {
  public LogLine {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(text, "text");
  }
}
