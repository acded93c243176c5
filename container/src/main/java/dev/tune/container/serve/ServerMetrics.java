package dev.tune.container.serve;

/**
 * Counters of a running server.
 *
 * @param requests POSTs to the predict route that passed the API key check, whatever their outcome
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
