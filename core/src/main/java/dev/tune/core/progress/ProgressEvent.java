package dev.tune.core.progress;

import dev.tune.core.ResourceRef;
import java.time.Instant;

/** Something that happened to an operation being waited for. */
public sealed interface ProgressEvent permits StateChanged {
  /** When it was observed. */
  Instant time();

  /** The job or endpoint it happened to. */
  ResourceRef resource();
}
