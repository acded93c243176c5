package dev.tune.core.train;

import java.util.Objects;

/**
 * What a {@link TrainPreflight} concluded about a run it lets through.
 *
 * @param checked whether it judged the run (false: it could not, e.g. the machine is unknown)
 * @param summary one line for the user: the plan's peak against the machine, or why it was not
 *     judged
 */
public record PreflightVerdict(boolean checked, String summary) {

  public PreflightVerdict {
    Objects.requireNonNull(summary, "summary");
  }

  /** The run was judged and fits. */
  public static PreflightVerdict fits(String summary) {
    return new PreflightVerdict(true, summary);
  }

  /** The run could not be judged; {@code why} says so. */
  public static PreflightVerdict notChecked(String why) {
    return new PreflightVerdict(false, why);
  }
}
