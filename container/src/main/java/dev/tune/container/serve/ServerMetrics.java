package dev.tune.container.serve;

/**
 * Counters of a running server.
 *
 * @param requests prediction requests received (any outcome)
 * @param batches batches decoded
 * @param sequences prompts decoded in those batches
 * @param generatedTokens tokens generated in those batches
 * @param largestBatch the most prompts one batch held
 * @param queued prompts waiting for a batch now
 */
public record ServerMetrics(
    long requests,
    long batches,
    long sequences,
    long generatedTokens,
    int largestBatch,
    int queued) {}
