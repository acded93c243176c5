package dev.tune.trainer.model.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DecoderCache;
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
    for (long[] p : prompts) {
      if (p.length == 0) {
        throw new BadInputException("a prompt needs at least one token", "send a non-empty prompt");
      }
    }
    int vocab = model.config().vocabSize();

    long[][] out = new long[batch][params.maxNewTokens()];
    int[] produced = new int[batch];
    boolean[] finished = new boolean[batch];
    TokenSampler sampler = new TokenSampler(params);
    SplittableRandom random = new SplittableRandom(params.seed());
    LeftPaddedBatch inputs = LeftPaddedBatch.of(prompts, padId);

    try (NDManager manager = model.manager().newSubManager();
        DecoderCache cache = model.newCache()) {
      float[] logits;
      try (NDManager step = manager.newSubManager()) {
        logits = lastLogits(model.forward(inputs.prefill(step, cache)));
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
        try (NDManager step = manager.newSubManager()) {
          logits = lastLogits(model.forward(inputs.step(step, cache, next)));
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
}
