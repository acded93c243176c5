package dev.tune.core.progress;

/**
 * Receives progress of a long operation (a training job, a deployment) while the caller waits for
 * it. Called on the waiting thread; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {
  void onEvent(ProgressEvent event);

  /** A listener that ignores every event. */
  static ProgressListener none() {
    return event -> {};
  }
}
