package dev.tune.trainer.export;

/**
 * One tensor written by {@link ModelMerger}.
 *
 * @param tensor the tensor's name
 * @param merged whether an adapter was folded into it
 * @param index 1 for the first tensor written
 * @param tensors how many tensors the model has
 * @param bytesWritten weight bytes written so far, this tensor included
 * @param totalBytes weight bytes of the whole output
 */
public record MergeProgress(
    String tensor, boolean merged, int index, int tensors, long bytesWritten, long totalBytes) {

  /** Receives a {@link MergeProgress} after each tensor. */
  @FunctionalInterface
  public interface Listener {
    void tensorWritten(MergeProgress progress);

    /** Ignores every event. */
    static Listener none() {
      return progress -> {};
    }
  }
}
