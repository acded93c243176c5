package dev.tune.core.job;

/** Where a training job is in its life. Providers map their own states onto these. */
public enum JobState {
  /** Accepted, waiting for machines or still starting them. */
  PENDING,
  /** The trainer is running. */
  RUNNING,
  /** A cancel was asked for and is in progress. */
  STOPPING,
  /** Finished; the model is written. */
  SUCCEEDED,
  /** Ended with an error; the description's message says why. */
  FAILED,
  /** Ended because it was cancelled. */
  CANCELLED;

  /** Whether the job has ended and will not change again. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
