package dev.tune.trainer.train;

import dev.tune.trainer.loss.CausalLmLoss;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.model.SpecialTokenIds;
import java.util.List;

/**
 * Examples padded on the right to the longest of them, on the host: ids with the pad id, labels
 * with {@value CausalLmLoss#IGNORE_INDEX}, and an attention mask of 1 for real tokens and 0 for
 * padding (as transformers' collators pad for training). {@code tokens} counts the real tokens (for
 * throughput), {@code trainedTokens} the labels the loss counts.
 *
 * <p>When any example is packed, the batch also carries position ids and sequence ids for every row
 * (a single-sample row gets {@code 0..n-1} and sequence 0); padding gets sequence id -1, which no
 * real token has, and the attention mask hides it anyway.
 */
final class PaddedBatch {

  private final int batch;
  private final int seq;
  private final long[] inputIds;
  private final long[] labels;
  private final long[] attentionMask;
  private final long[] positionIds;
  private final long[] sequenceIds;
  private final long tokens;
  private final long trainedTokens;

  private PaddedBatch(
      int batch,
      int seq,
      long[] inputIds,
      long[] labels,
      long[] attentionMask,
      long[] positionIds,
      long[] sequenceIds,
      long tokens,
      long trainedTokens) {
    this.batch = batch;
    this.seq = seq;
    this.inputIds = inputIds;
    this.labels = labels;
    this.attentionMask = attentionMask;
    this.positionIds = positionIds;
    this.sequenceIds = sequenceIds;
    this.tokens = tokens;
    this.trainedTokens = trainedTokens;
  }

  static PaddedBatch of(List<TrainingExample> examples, long padId) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one example");
    }
    int batch = examples.size();
    int seq = 0;
    boolean packed = false;
    for (TrainingExample e : examples) {
      seq = Math.max(seq, e.length());
      packed |= e.isPacked();
    }
    long[] ids = new long[Math.multiplyExact(batch, seq)];
    long[] labels = new long[ids.length];
    long[] mask = new long[ids.length];
    long[] positions = packed ? new long[ids.length] : null;
    long[] sequences = packed ? new long[ids.length] : null;
    boolean padded = false;
    long tokens = 0;
    long trained = 0;
    for (int b = 0; b < batch; b++) {
      TrainingExample e = examples.get(b);
      int n = e.length();
      for (int t = 0; t < seq; t++) {
        int i = b * seq + t;
        boolean real = t < n;
        ids[i] = real ? e.inputId(t) : padId;
        labels[i] = real ? e.label(t) : CausalLmLoss.IGNORE_INDEX;
        mask[i] = real ? 1 : 0;
        if (packed) {
          positions[i] = real ? e.positionId(t) : t - n;
          sequences[i] = real ? e.sequenceId(t) : -1;
        }
      }
      padded |= n < seq;
      tokens += n;
      trained += e.trainedTokens();
    }
    return new PaddedBatch(
        batch, seq, ids, labels, padded ? mask : null, positions, sequences, tokens, trained);
  }

  /**
   * The id padding uses: the model's {@code pad_token_id}, else its first EOS id (what fine-tuning
   * scripts set when a tokenizer has no pad token), else 0. Padded positions are masked and ignored
   * by the loss, so the choice changes no result.
   */
  static long padId(ModelConfig config) {
    SpecialTokenIds ids = config.specialTokenIds();
    if (ids.pad().isPresent()) {
      return ids.pad().getAsInt();
    }
    return ids.eos().isEmpty() ? 0 : ids.eos().get(0);
  }

  int size() {
    return batch * seq;
  }

  int batch() {
    return batch;
  }

  int seq() {
    return seq;
  }

  /** Row-major {@code [batch, seq]} ids; not a copy, do not modify. */
  long[] inputIds() {
    return inputIds;
  }

  /** Row-major {@code [batch, seq]} labels; not a copy, do not modify. */
  long[] labels() {
    return labels;
  }

  /** Row-major {@code [batch, seq]} mask, or {@code null} when no row is padded. */
  long[] attentionMask() {
    return attentionMask;
  }

  /** Row-major {@code [batch, seq]} position ids, or {@code null} when no row is packed. */
  long[] positionIds() {
    return positionIds;
  }

  /** Row-major {@code [batch, seq]} sequence ids, or {@code null} when no row is packed. */
  long[] sequenceIds() {
    return sequenceIds;
  }

  long tokens() {
    return tokens;
  }

  long trainedTokens() {
    return trainedTokens;
  }
}
