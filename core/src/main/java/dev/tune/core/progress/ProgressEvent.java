package dev.tune.core.progress;

import dev.tune.core.ResourceRef;
import java.time.Instant;

/**
 * Something that happened to an operation being waited for: a job or endpoint changed state, or
 * bytes of a file moved.
 */
public sealed interface ProgressEvent permits StateChanged, TransferProgress {
  /** When it was observed. */
  Instant time();

  /** The job, endpoint or artifact it happened to. */
  ResourceRef resource();
}
