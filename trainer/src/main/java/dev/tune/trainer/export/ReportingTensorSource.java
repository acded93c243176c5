package dev.tune.trainer.export;

import dev.tune.trainer.safetensors.SafetensorsDtype;
import dev.tune.trainer.safetensors.TensorSource;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** A tensor that tells a {@link MergeProgress.Listener} when its bytes have been written. */
final class ReportingTensorSource implements TensorSource {

  /** Counts the tensors and bytes written across all sources of one merge. */
  static final class Tally {
    private final MergeProgress.Listener listener;
    private final int tensors;
    private final long totalBytes;
    private int written;
    private long bytes;

    Tally(MergeProgress.Listener listener, int tensors, long totalBytes) {
      this.listener = listener;
      this.tensors = tensors;
      this.totalBytes = totalBytes;
    }

    void add(String name, boolean merged, long length) {
      written++;
      bytes += length;
      listener.tensorWritten(new MergeProgress(name, merged, written, tensors, bytes, totalBytes));
    }
  }

  private final TensorSource source;
  private final boolean merged;
  private final Tally tally;

  ReportingTensorSource(TensorSource source, boolean merged, Tally tally) {
    this.source = source;
    this.merged = merged;
    this.tally = tally;
  }

  @Override
  public String name() {
    return source.name();
  }

  @Override
  public SafetensorsDtype dtype() {
    return source.dtype();
  }

  @Override
  public long[] shape() {
    return source.shape();
  }

  @Override
  public long byteLength() {
    return source.byteLength();
  }

  @Override
  public void writeTo(WritableByteChannel out) throws IOException {
    source.writeTo(out);
    tally.add(source.name(), merged, source.byteLength());
  }
}
