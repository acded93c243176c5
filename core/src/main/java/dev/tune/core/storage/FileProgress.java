package dev.tune.core.storage;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.progress.TransferProgress.Phase;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Tells a listener how the transfer of one file goes, without flooding it: a {@code PROGRESS} event
 * at most every {@value #STEP_BYTES} bytes. Used by one thread at a time.
 */
public final class FileProgress {
  static final long STEP_BYTES = 1 << 20;

  private final ArtifactUri file;
  private final ProgressListener listener;
  private OptionalLong total = OptionalLong.empty();
  private long lastReported = -1;

  public FileProgress(ArtifactUri file, ProgressListener listener) {
    this.file = file;
    this.listener = listener;
  }

  /** The file is already there: {@code size} bytes, none moved. */
  public void cached(long size) {
    emit(Phase.CACHED, size, OptionalLong.of(size));
  }

  /** Bytes start to move; {@code done} were there before (a resumed download). */
  public void started(long done, OptionalLong total) {
    this.total = total;
    lastReported = done;
    emit(Phase.STARTED, done, total);
  }

  /** {@code done} bytes are present now. */
  public void advanced(long done) {
    if (done - lastReported >= STEP_BYTES || (total.isPresent() && done == total.getAsLong())) {
      lastReported = done;
      emit(Phase.PROGRESS, done, total);
    }
  }

  /** The file is complete and checked: {@code size} bytes. */
  public void done(long size) {
    emit(Phase.DONE, size, OptionalLong.of(size));
  }

  private void emit(Phase phase, long done, OptionalLong total) {
    listener.onEvent(new TransferProgress(Instant.now(), file, phase, done, total));
  }
}
