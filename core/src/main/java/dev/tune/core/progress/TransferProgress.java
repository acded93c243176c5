package dev.tune.core.progress;

import dev.tune.core.ResourceRef;
import dev.tune.core.artifact.ArtifactUri;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Bytes of one file moved between storage and this machine.
 *
 * @param time when it was observed
 * @param file the file being moved, e.g. {@code hf://org/name@main/model.safetensors}
 * @param phase where the transfer of this file stands
 * @param bytesDone bytes of the file present so far, those of an earlier, resumed attempt included
 * @param bytesTotal the file's size, when known
 */
public record TransferProgress(
    Instant time, ArtifactUri file, Phase phase, long bytesDone, OptionalLong bytesTotal)
    implements ProgressEvent {

  /** Where the transfer of one file stands. */
  public enum Phase {
    /** Bytes are about to move; {@code bytesDone} is what an earlier attempt left. */
    STARTED,
    /** More bytes arrived. */
    PROGRESS,
    /** The file is complete and checked. */
    DONE,
    /** The file was already there; nothing moved. */
    CACHED
  }

  /** The artifact a transfer event is about, as a resource: its scheme and its URI text. */
  public record ArtifactRef(ArtifactUri uri) implements ResourceRef {
    public ArtifactRef {
      Objects.requireNonNull(uri, "uri");
    }

    @Override
    public String provider() {
      return uri.scheme();
    }

    @Override
    public String id() {
      return uri.toString();
    }
  }

  public TransferProgress {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(bytesTotal, "bytesTotal");
    if (bytesDone < 0) {
      throw new IllegalArgumentException("bytesDone must not be negative: " + bytesDone);
    }
  }

  @Override
  public ResourceRef resource() {
    return new ArtifactRef(file);
  }
}
