package dev.tune.container.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * How concurrent prompts are grouped into one batched decode.
 *
 * @param maxBatchSize the most prompts decoded together
 * @param maxWait how long a batch that is not full waits for more prompts before it starts; prompts
 *     that arrive while a batch decodes wait for the next one
 */
public record BatchingOptions(int maxBatchSize, Duration maxWait) {

  public BatchingOptions {
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
    }
  }

  /** Batches of up to 16 prompts, gathered for at most 5 ms. */
  public static BatchingOptions defaults() {
    return new BatchingOptions(16, Duration.ofMillis(5));
  }
}
