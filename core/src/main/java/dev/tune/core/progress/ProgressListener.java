package dev.tune.core.progress;

/**
 * Receives progress of a long operation (a training job, a deployment, a download) while the caller
 * waits for it. Called one event at a time, on the waiting thread or, for files transferred in
 * parallel, on a transfer thread; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {
  void onEvent(ProgressEvent event);

  /** A listener that ignores every event. */
  static ProgressListener none() {
    return event -> {};
  }
}
