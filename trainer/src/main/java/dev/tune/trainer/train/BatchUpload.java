package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Many padded batches copied to the device in one go, then handed out as views.
 *
 * <p>A host-to-device copy from ordinary (pageable) memory makes libtorch wait for the device, so
 * copying each micro-batch as its step starts would stall the queue every step. The trainer uploads
 * the batches of a whole logging interval at once, at the point where it reads the device's numbers
 * back anyway, and the steps slice what they need without a copy.
 */
final class BatchUpload implements AutoCloseable {

  /**
   * The most bytes one upload holds (ids, labels, mask and, for packed rows, positions and sequence
   * ids, int64 each): the batches of a long logging interval are split into several uploads beyond
   * it.
   */
  static final long BUDGET_BYTES = 64L << 20;

  private final NDManager manager;
  private final NDArray ids;
  private final NDArray labels;
  private final NDArray masks;
  // null when no batch of the upload is packed
  private final NDArray positions;
  private final NDArray sequences;
  private final List<PaddedBatch> batches;
  private final long[] offsets;

  /** Copies {@code batches} into a new sub-manager of {@code parent} (and its device). */
  BatchUpload(List<PaddedBatch> batches, NDManager parent) {
    this.batches = List.copyOf(batches);
    this.offsets = new long[batches.size() + 1];
    for (int i = 0; i < batches.size(); i++) {
      offsets[i + 1] = offsets[i] + batches.get(i).size();
    }
    int total = Math.toIntExact(offsets[batches.size()]);
    long[] allIds = new long[total];
    long[] allLabels = new long[total];
    long[] allMasks = new long[total];
    boolean packed = batches.stream().anyMatch(b -> b.positionIds() != null);
    long[] allPositions = packed ? new long[total] : null;
    long[] allSequences = packed ? new long[total] : null;
    for (int i = 0; i < batches.size(); i++) {
      PaddedBatch b = batches.get(i);
      int at = (int) offsets[i];
      System.arraycopy(b.inputIds(), 0, allIds, at, b.size());
      System.arraycopy(b.labels(), 0, allLabels, at, b.size());
      if (b.attentionMask() != null) {
        System.arraycopy(b.attentionMask(), 0, allMasks, at, b.size());
      }
      if (b.positionIds() != null) {
        System.arraycopy(b.positionIds(), 0, allPositions, at, b.size());
        System.arraycopy(b.sequenceIds(), 0, allSequences, at, b.size());
      }
    }
    this.manager = parent.newSubManager();
    this.ids = manager.create(allIds);
    this.labels = manager.create(allLabels);
    this.masks = manager.create(allMasks);
    this.positions = packed ? manager.create(allPositions) : null;
    this.sequences = packed ? manager.create(allSequences) : null;
  }

  /** The bytes an upload of {@code batch} takes on the device. */
  static long bytes(PaddedBatch batch) {
    return (batch.positionIds() == null ? 3L : 5L) * Long.BYTES * batch.size();
  }

  /** Consecutive runs of {@code batches}, each within {@code budget} bytes (or one batch). */
  static List<List<PaddedBatch>> chunks(List<PaddedBatch> batches, long budget) {
    List<List<PaddedBatch>> chunks = new ArrayList<>();
    List<PaddedBatch> current = new ArrayList<>();
    long used = 0;
    for (PaddedBatch batch : batches) {
      if (!current.isEmpty() && used + bytes(batch) > budget) {
        chunks.add(current);
        current = new ArrayList<>();
        used = 0;
      }
      current.add(batch);
      used += bytes(batch);
    }
    if (!current.isEmpty()) {
      chunks.add(current);
    }
    return chunks;
  }

  int size() {
    return batches.size();
  }

  PaddedBatch host(int index) {
    return batches.get(index);
  }

  /**
   * Views of batch {@code index}, owned by {@code owner} (the step's manager): everything computed
   * from them belongs to it too, and goes when the step's manager closes.
   */
  DeviceBatch device(int index, NDManager owner) {
    PaddedBatch b = batches.get(index);
    NDIndex range = new NDIndex("{}:{}", offsets[index], offsets[index + 1]);
    NDArray batchIds = view(ids, range, b, owner);
    NDArray batchLabels = view(labels, range, b, owner);
    Optional<NDArray> mask =
        b.attentionMask() == null ? Optional.empty() : Optional.of(view(masks, range, b, owner));
    boolean packed = b.positionIds() != null;
    Optional<NDArray> batchPositions =
        packed ? Optional.of(view(positions, range, b, owner)) : Optional.empty();
    Optional<NDArray> batchSequences =
        packed ? Optional.of(view(sequences, range, b, owner)) : Optional.empty();
    return new DeviceBatch(batchIds, batchLabels, mask, batchPositions, batchSequences);
  }

  private static NDArray view(NDArray flat, NDIndex range, PaddedBatch b, NDManager owner) {
    NDArray slice = flat.get(range);
    NDArray view = slice.reshape(b.batch(), b.seq());
    slice.close();
    view.attach(owner);
    return view;
  }

  @Override
  public void close() {
    manager.close();
  }
}
