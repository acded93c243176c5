package dev.tune.trainer.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which examples each optimizer step trains on, as HF Trainer's loop arranges them: every epoch the
 * examples are shuffled (a permutation drawn from the seed and the epoch number), cut into batches
 * of {@code per_device_train_batch_size} (the last one may be short), and every {@code
 * gradient_accumulation_steps} consecutive batches make one optimizer step (the last step of an
 * epoch may have fewer).
 *
 * <p>The order is a pure function of the seed, so a resumed run finds its place from the step
 * number alone.
 */
final class DataSchedule {

  private final int examples;
  private final int batchSize;
  private final int accumulation;
  private final long seed;
  private int cachedEpoch = -1;
  private int[] cachedOrder;

  DataSchedule(int examples, int batchSize, int accumulation, long seed) {
    if (examples <= 0) {
      throw new IllegalArgumentException(
          "there are no training examples; give at least one tokenized example");
    }
    if (batchSize <= 0 || accumulation <= 0) {
      throw new IllegalArgumentException(
          "batch size and gradient accumulation steps must be >= 1, got "
              + batchSize
              + " and "
              + accumulation);
    }
    this.examples = examples;
    this.batchSize = batchSize;
    this.accumulation = accumulation;
    this.seed = seed;
  }

  int batchesPerEpoch() {
    return ceilDiv(examples, batchSize);
  }

  /** Optimizer steps in one pass over the data. */
  int stepsPerEpoch() {
    return ceilDiv(batchesPerEpoch(), accumulation);
  }

  /**
   * The steps of the run: {@code maxSteps} when positive, else {@code ceil(epochs *
   * stepsPerEpoch)}, as HF Trainer computes {@code max_steps}.
   */
  int totalSteps(double epochs, int maxSteps) {
    if (maxSteps > 0) {
      return maxSteps;
    }
    return Math.max(1, (int) Math.ceil(epochs * stepsPerEpoch()));
  }

  /** The epoch (0-based) that optimizer step {@code step} (0-based) belongs to. */
  int epochOf(int step) {
    return step / stepsPerEpoch();
  }

  /** Example indices of each micro-batch of optimizer step {@code step} (0-based). */
  List<int[]> microBatches(int step) {
    int[] order = order(epochOf(step));
    int first = (step % stepsPerEpoch()) * accumulation;
    int last = Math.min(first + accumulation, batchesPerEpoch());
    List<int[]> micro = new ArrayList<>(last - first);
    for (int b = first; b < last; b++) {
      int from = b * batchSize;
      int to = Math.min(from + batchSize, examples);
      int[] indices = new int[to - from];
      System.arraycopy(order, from, indices, 0, indices.length);
      micro.add(indices);
    }
    return micro;
  }

  /** The shuffled example order of {@code epoch}. */
  int[] order(int epoch) {
    if (epoch != cachedEpoch) {
      int[] order = new int[examples];
      for (int i = 0; i < examples; i++) {
        order[i] = i;
      }
      SplittableRandom random = new SplittableRandom(new SplittableRandom(seed).nextLong() + epoch);
      for (int i = examples - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
