package dev.tune.trainer.model.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DecoderCache;
import dev.tune.trainer.model.ForwardInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive generation with a key/value cache: the prompts are prefilled in one pass, then one
 * token per step. Prompts of different lengths are left-padded with an attention mask and positions
 * counted from each prompt's first real token, as transformers' {@code generate} does.
 */
public final class Generator {

  private final CausalLm model;
  private final long padId;

  public Generator(CausalLm model) {
    this.model = model;
    this.padId = model.config().specialTokenIds().pad().orElse(0);
  }

  /** Generates for one prompt. */
  public GenerationResult generate(long[] prompt, SamplingParams params) {
    return generate(List.of(prompt), params).get(0);
  }

  /** Generates for a batch of prompts; results come in prompt order. */
  public List<GenerationResult> generate(List<long[]> prompts, SamplingParams params) {
    if (prompts.isEmpty()) {
      return List.of();
    }
    int batch = prompts.size();
    int longest = 0;
    for (long[] p : prompts) {
      if (p.length == 0) {
        throw new BadInputException("a prompt needs at least one token", "send a non-empty prompt");
      }
      longest = Math.max(longest, p.length);
    }
    boolean padded = prompts.stream().anyMatch(p -> p.length != prompts.get(0).length);
    int vocab = model.config().vocabSize();

    long[][] out = new long[batch][params.maxNewTokens()];
    int[] produced = new int[batch];
    boolean[] finished = new boolean[batch];
    TokenSampler sampler = new TokenSampler(params);
    SplittableRandom random = new SplittableRandom(params.seed());

    // Host-side running state: mask over all positions so far, next position per row.
    List<long[]> mask = new ArrayList<>();
    long[] nextPosition = new long[batch];
    long[] ids = new long[batch * longest];
    long[] positions = new long[batch * longest];
    for (int b = 0; b < batch; b++) {
      long[] p = prompts.get(b);
      int pad = longest - p.length;
      long[] row = new long[longest];
      for (int t = 0; t < longest; t++) {
        boolean real = t >= pad;
        ids[b * longest + t] = real ? p[t - pad] : padId;
        row[t] = real ? 1 : 0;
        // transformers: cumsum(mask) - 1, with padded slots set to 1.
        positions[b * longest + t] = real ? t - pad : 1;
      }
      mask.add(row);
      nextPosition[b] = p.length;
    }

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
        logits = lastLogits(model.forward(input));
      }
      for (int s = 0; s < params.maxNewTokens(); s++) {
        long[] next = new long[batch];
        for (int b = 0; b < batch; b++) {
          if (finished[b]) {
            next[b] = padId;
            continue;
          }
          int token = sampler.pick(Arrays.copyOfRange(logits, b * vocab, (b + 1) * vocab), random);
          out[b][produced[b]++] = token;
          next[b] = token;
          if (params.eosTokenIds().contains(token)) {
            finished[b] = true;
          }
        }
        if (allTrue(finished) || s == params.maxNewTokens() - 1) {
          break;
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
          logits = lastLogits(model.forward(input));
        }
      }
    }
    List<GenerationResult> results = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      results.add(
          new GenerationResult(
              Arrays.copyOf(out[b], produced[b]),
              finished[b] ? FinishReason.EOS : FinishReason.LENGTH));
    }
    return results;
  }

  private static float[] lastLogits(NDArray logits) {
    return logits.toType(DataType.FLOAT32, false).toFloatArray();
  }

  private static boolean allTrue(boolean[] flags) {
    for (boolean f : flags) {
      if (!f) {
        return false;
      }
    }
    return true;
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
}
