package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import java.util.Optional;

/**
 * The inputs of one {@link CausalLm#forward} pass.
 *
 * @param inputIds {@code [batch, seq]} token ids of the new positions
 * @param attentionMask {@code [batch, past + seq]}, 1 for real tokens and 0 for padding; empty when
 *     nothing is padded
 * @param positionIds {@code [batch, seq]}; empty means {@code past, past + 1, ...} as transformers
 *     uses when none are given
 * @param cache the key/value caches to read and extend; empty for a plain forward
 * @param lastPositionOnly compute logits for the last position only (generation)
 * @param sequenceIds {@code [batch, past + seq]}, which sample of a packed row each token belongs
 *     to: a token attends only to earlier tokens of the same id (a block-diagonal causal mask), so
 *     packed samples never see each other; empty when each row is one sample
 */
public record ForwardInput(
    NDArray inputIds,
    Optional<NDArray> attentionMask,
    Optional<NDArray> positionIds,
    Optional<DecoderCache> cache,
    boolean lastPositionOnly,
    Optional<NDArray> sequenceIds) {

  public ForwardInput {
    Objects.requireNonNull(inputIds, "inputIds");
    Objects.requireNonNull(attentionMask, "attentionMask");
    Objects.requireNonNull(positionIds, "positionIds");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(sequenceIds, "sequenceIds");
    if (inputIds.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          "input ids must be [batch, seq], got shape " + inputIds.getShape());
    }
  }

  /** Inputs of rows that each hold one sample. */
  public ForwardInput(
      NDArray inputIds,
      Optional<NDArray> attentionMask,
      Optional<NDArray> positionIds,
      Optional<DecoderCache> cache,
      boolean lastPositionOnly) {
    this(inputIds, attentionMask, positionIds, cache, lastPositionOnly, Optional.empty());
  }

  public static ForwardInput of(NDArray inputIds) {
    return new ForwardInput(inputIds, Optional.empty(), Optional.empty(), Optional.empty(), false);
  }

  public ForwardInput withAttentionMask(NDArray mask) {
    return new ForwardInput(
        inputIds, Optional.of(mask), positionIds, cache, lastPositionOnly, sequenceIds);
  }

  public ForwardInput withPositionIds(NDArray positions) {
    return new ForwardInput(
        inputIds, attentionMask, Optional.of(positions), cache, lastPositionOnly, sequenceIds);
  }

  public ForwardInput withCache(DecoderCache decoderCache) {
    return new ForwardInput(
        inputIds,
        attentionMask,
        positionIds,
        Optional.of(decoderCache),
        lastPositionOnly,
        sequenceIds);
  }

  public ForwardInput withLastPositionOnly() {
    return new ForwardInput(inputIds, attentionMask, positionIds, cache, true, sequenceIds);
  }

  /**
   * The same inputs for packed rows: {@code ids} {@code [batch, past + seq]} say which sample each
   * token belongs to. Pair it with {@link #withPositionIds} restarting at 0 for every sample.
   */
  public ForwardInput withSequenceIds(NDArray ids) {
    return new ForwardInput(
        inputIds, attentionMask, positionIds, cache, lastPositionOnly, Optional.of(ids));
  }
}
