package dev.tune.core.run;

import dev.tune.core.error.TuneException;
import java.util.List;
import java.util.Objects;

/**
 * The step where {@code tune run} stopped, why, and the commands that continue from what the
 * earlier steps produced.
 *
 * @param step the step that failed
 * @param cause what went wrong
 * @param continueWith commands that pick up where the run stopped, first the one to try
 */
public record RunFailure(RunStep step, TuneException cause, List<String> continueWith) {
  public RunFailure {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(cause, "cause");
    continueWith = List.copyOf(continueWith);
  }
}
