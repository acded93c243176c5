package dev.tune.core.storage;

import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;

/**
 * Hands events from several transfer threads to a listener one at a time, so that listeners need
 * not be thread-safe.
 */
public final class SerialListener implements ProgressListener {
  private final ProgressListener delegate;

  public SerialListener(ProgressListener delegate) {
    this.delegate = delegate;
  }

  @Override
  public synchronized void onEvent(ProgressEvent event) {
    delegate.onEvent(event);
  }
}
