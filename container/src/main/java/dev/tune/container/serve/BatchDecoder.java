package dev.tune.container.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.generation.FinishReason;
import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.LeftPaddedBatch;
import dev.tune.trainer.model.generation.TokenSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;

/**
 * Decodes a batch of sequences together, each with its own sampling parameters, seed, token limit
 * and deadline: one prefill of the left-padded prompts, then one token per step for the whole batch
 * on a key/value cache. A sequence's result completes the step it ends, not when the batch ends.
 *
 * <p>Padding, attention mask and positions come from the {@link LeftPaddedBatch} that {@link
 * dev.tune.trainer.model.generation.Generator} uses too, so a greedy sequence decoded alone gives
 * the Generator's tokens. Not thread-safe: one thread decodes.
 */
public final class BatchDecoder {

  private final CausalLm model;
  private final long padId;
  private final LongSupplier nanoClock;

  public BatchDecoder(CausalLm model) {
    this(model, System::nanoTime);
  }

  BatchDecoder(CausalLm model, LongSupplier nanoClock) {
    this.model = model;
    this.padId = model.config().specialTokenIds().pad().orElse(0);
    this.nanoClock = nanoClock;
  }

  /**
   * Generates for every sequence and completes each one's result.
   *
   * @return the number of tokens generated
   */
  public int decode(List<Sequence> sequences) {
    List<Row> rows = new ArrayList<>();
    for (Sequence s : sequences) {
      if (!endedBeforeStart(s)) {
        rows.add(new Row(s));
      }
    }
    if (rows.isEmpty()) {
      return 0;
    }
    try {
      return run(rows);
    } catch (RuntimeException | Error e) {
      for (Row row : rows) {
        row.sequence.result().completeExceptionally(e);
      }
      throw e;
    }
  }

  private boolean endedBeforeStart(Sequence s) {
    if (s.params().maxNewTokens() == 0) {
      s.result().complete(new GenerationResult(new long[0], FinishReason.LENGTH));
      return true;
    }
    return stopIfAbandoned(s, 0);
  }

  private int run(List<Row> rows) {
    int batch = rows.size();
    int vocab = model.config().vocabSize();
    LeftPaddedBatch inputs =
        LeftPaddedBatch.of(rows.stream().map(r -> r.sequence.prompt()).toList(), padId);

    int generated = 0;
    try (NDManager manager = model.manager().newSubManager();
        DecoderCache cache = model.newCache()) {
      float[] logits;
      try (NDManager step = manager.newSubManager()) {
        logits = hostLogits(model.forward(inputs.prefill(step, cache)));
      }
      while (true) {
        long[] next = new long[batch];
        boolean anyLeft = false;
        for (int b = 0; b < batch; b++) {
          Row row = rows.get(b);
          if (row.done) {
            next[b] = padId;
            continue;
          }
          int token =
              row.sampler.pick(Arrays.copyOfRange(logits, b * vocab, (b + 1) * vocab), row.random);
          next[b] = token;
          generated++;
          row.add(token);
          anyLeft |= !row.done;
        }
        if (!anyLeft) {
          return generated;
        }
        try (NDManager step = manager.newSubManager()) {
          logits = hostLogits(model.forward(inputs.step(step, cache, next)));
        }
      }
    }
  }

  /** Ends a sequence whose deadline passed or whose client left; true if it ended. */
  private boolean stopIfAbandoned(Sequence s, int produced) {
    if (s.cancelled()) {
      s.result().completeExceptionally(new CancellationException("the client went away"));
      return true;
    }
    if (s.expired(nanoClock.getAsLong())) {
      s.result()
          .completeExceptionally(
              ApiError.timeout(
                  "The request ran past the server's time limit after "
                      + produced
                      + " generated token(s). Ask for fewer max_tokens, send fewer prompts per"
                      + " request, or raise the server's request timeout."));
      return true;
    }
    return false;
  }

  private static float[] hostLogits(NDArray logits) {
    return logits.toType(DataType.FLOAT32, false).toFloatArray();
  }

  /** The decoding state of one sequence. */
  private final class Row {
    final Sequence sequence;
    final TokenSampler sampler;
    final SplittableRandom random;
    final long[] tokens;
    int produced;
    boolean done;

    Row(Sequence sequence) {
      this.sequence = sequence;
      this.sampler = new TokenSampler(sequence.params());
      this.random = new SplittableRandom(sequence.params().seed());
      this.tokens = new long[sequence.params().maxNewTokens()];
    }

    void add(int token) {
      tokens[produced++] = token;
      try {
        sequence.listener().onToken(token);
      } catch (RuntimeException e) {
        // A broken listener ends its own sequence, never the batch.
        done = true;
        sequence.result().completeExceptionally(e);
        return;
      }
      boolean eos = sequence.params().eosTokenIds().contains(token);
      if (eos || produced == tokens.length) {
        done = true;
        sequence
            .result()
            .complete(
                new GenerationResult(
                    Arrays.copyOf(tokens, produced), eos ? FinishReason.EOS : FinishReason.LENGTH));
      } else if (stopIfAbandoned(sequence, produced)) {
        done = true;
      }
    }
  }
}
