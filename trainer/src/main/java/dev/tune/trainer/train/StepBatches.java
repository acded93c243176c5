package dev.tune.trainer.train;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The padded micro-batches of each optimizer step, on the device.
 *
 * <p>Batches are uploaded a window at a time: from the step asked for up to the next logging point
 * (where the trainer reads numbers back anyway), within {@link BatchUpload#BUDGET_BYTES}. The steps
 * in between copy nothing to the device.
 */
final class StepBatches implements AutoCloseable {

  private final List<TrainingExample> examples;
  private final DataSchedule schedule;
  private final long padId;
  private final int loggingSteps;
  private final int totalSteps;
  private final NDManager parent;

  private BatchUpload window;
  private int firstStep;
  private int[] stepStarts;

  StepBatches(
      List<TrainingExample> examples,
      DataSchedule schedule,
      long padId,
      int loggingSteps,
      int totalSteps,
      NDManager parent) {
    this.examples = examples;
    this.schedule = schedule;
    this.padId = padId;
    this.loggingSteps = loggingSteps;
    this.totalSteps = totalSteps;
    this.parent = parent;
  }

  /** The micro-batches of one optimizer step. */
  record Step(BatchUpload upload, int from, int to) {

    int count() {
      return to - from;
    }

    PaddedBatch host(int micro) {
      return upload.host(from + micro);
    }

    /** Micro-batch {@code micro} on the device, owned by {@code owner}. */
    DeviceBatch device(int micro, NDManager owner) {
      return upload.device(from + micro, owner);
    }
  }

  /** The micro-batches of optimizer step {@code step} (0-based), uploading them if needed. */
  Step step(int step) {
    if (window == null || step < firstStep || step - firstStep >= stepStarts.length - 1) {
      upload(step);
    }
    int local = step - firstStep;
    return new Step(window, stepStarts[local], stepStarts[local + 1]);
  }

  private void upload(int start) {
    close();
    int end = Math.min(totalSteps, (start / loggingSteps + 1) * loggingSteps);
    List<PaddedBatch> batches = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    long bytes = 0;
    for (int s = start; s < end; s++) {
      List<PaddedBatch> stepBatches = new ArrayList<>();
      long stepBytes = 0;
      for (int[] indices : schedule.microBatches(s)) {
        List<TrainingExample> chosen = new ArrayList<>(indices.length);
        for (int i : indices) {
          chosen.add(examples.get(i));
        }
        PaddedBatch batch = PaddedBatch.of(chosen, padId);
        stepBatches.add(batch);
        stepBytes += BatchUpload.bytes(batch);
      }
      if (!starts.isEmpty() && bytes + stepBytes > BatchUpload.BUDGET_BYTES) {
        break;
      }
      starts.add(batches.size());
      batches.addAll(stepBatches);
      bytes += stepBytes;
    }
    starts.add(batches.size());
    window = new BatchUpload(batches, parent);
    firstStep = start;
    stepStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public void close() {
    if (window != null) {
      window.close();
      window = null;
    }
  }
}
