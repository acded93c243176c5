package dev.tune.container.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.ForwardInput;
import dev.tune.trainer.model.generation.FinishReason;
import dev.tune.trainer.model.generation.GenerationResult;
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
 * <p>Padding, attention mask and positions follow {@link
 * dev.tune.trainer.model.generation.Generator}, so a greedy sequence decoded alone gives the
 * Generator's tokens. Not thread-safe: one thread decodes.
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
    int longest = rows.stream().mapToInt(r -> r.sequence.promptLength()).max().orElseThrow();
    boolean padded = rows.stream().anyMatch(r -> r.sequence.promptLength() != longest);
    int vocab = model.config().vocabSize();

    List<long[]> mask = new ArrayList<>(batch);
    long[] nextPosition = new long[batch];
    long[] ids = new long[batch * longest];
    long[] positions = new long[batch * longest];
    for (int b = 0; b < batch; b++) {
      long[] prompt = rows.get(b).sequence.prompt();
      int pad = longest - prompt.length;
      long[] row = new long[longest];
      for (int t = 0; t < longest; t++) {
        boolean real = t >= pad;
        ids[b * longest + t] = real ? prompt[t - pad] : padId;
        row[t] = real ? 1 : 0;
        // transformers: cumsum(mask) - 1, with padded slots set to 1.
        positions[b * longest + t] = real ? t - pad : 1;
      }
      mask.add(row);
      nextPosition[b] = prompt.length;
    }

    int generated = 0;
    try (NDManager manager = model.manager().newSubManager();
        DecoderCache cache = model.newCache()) {
      int length = longest;
      float[] logits;
      try (NDManager step = manager.newSubManager()) {
        ForwardInput input =
            ForwardInput.of(step.create(ids, new Shape(batch, longest)))
                .withCache(cache)
                .withLastPositionOnly();
        if (padded) {
          input =
              input
                  .withAttentionMask(step.create(flatten(mask), new Shape(batch, length)))
                  .withPositionIds(step.create(positions, new Shape(batch, longest)));
        }
        logits = hostLogits(model.forward(input));
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
        length++;
        long[] stepPositions = new long[batch];
        for (int b = 0; b < batch; b++) {
          mask.set(b, append(mask.get(b), 1));
          stepPositions[b] = nextPosition[b]++;
        }
        try (NDManager step = manager.newSubManager()) {
          ForwardInput input =
              ForwardInput.of(step.create(next, new Shape(batch, 1)))
                  .withCache(cache)
                  .withLastPositionOnly();
          if (padded) {
            input =
                input
                    .withAttentionMask(step.create(flatten(mask), new Shape(batch, length)))
                    .withPositionIds(step.create(stepPositions, new Shape(batch, 1)));
          }
          logits = hostLogits(model.forward(input));
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

  private static long[] append(long[] row, long value) {
    long[] longer = Arrays.copyOf(row, row.length + 1);
    longer[row.length] = value;
    return longer;
  }

  private static long[] flatten(List<long[]> rows) {
    int width = rows.get(0).length;
    long[] flat = new long[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, flat, r * width, width);
    }
    return flat;
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
