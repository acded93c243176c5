package dev.tune.trainer.model.generation;

import dev.tune.core.error.BadInputException;
import java.util.Objects;
import java.util.Set;

/**
 * How to pick each new token.
 *
 * @param maxNewTokens at most this many tokens are generated
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it before sampling
 * @param topK keep only the k most likely tokens when sampling; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p when
 *     sampling; 1 keeps all
 * @param seed seeds the sampling random stream, so equal inputs give equal outputs
 * @param eosTokenIds a sequence ends after emitting any of these; empty never stops early
 */
public record SamplingParams(
    int maxNewTokens,
    double temperature,
    int topK,
    double topP,
    long seed,
    Set<Integer> eosTokenIds) {

  public SamplingParams {
    if (maxNewTokens < 0) {
      throw new BadInputException(
          "max_new_tokens must be >= 0, got " + maxNewTokens, "ask for 0 or more new tokens");
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new BadInputException(
          "temperature must be >= 0, got " + temperature,
          "use 0 for greedy decoding or a positive temperature");
    }
    if (topK < 0) {
      throw new BadInputException(
          "top_k must be >= 0, got " + topK, "use 0 to keep every token, or a positive k");
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new BadInputException(
          "top_p must be in (0, 1], got " + topP, "use 1 to keep every token, or a p in (0, 1)");
    }
    eosTokenIds = Set.copyOf(Objects.requireNonNull(eosTokenIds, "eosTokenIds"));
  }

  /** Greedy decoding of up to {@code maxNewTokens}, no early stop. */
  public static SamplingParams greedy(int maxNewTokens) {
    return new SamplingParams(maxNewTokens, 0, 0, 1.0, 0, Set.of());
  }

  public boolean isGreedy() {
    return temperature == 0;
  }

  public SamplingParams withMaxNewTokens(int n) {
    return new SamplingParams(n, temperature, topK, topP, seed, eosTokenIds);
  }

  public SamplingParams withTemperature(double t) {
    return new SamplingParams(maxNewTokens, t, topK, topP, seed, eosTokenIds);
  }

  public SamplingParams withTopK(int k) {
    return new SamplingParams(maxNewTokens, temperature, k, topP, seed, eosTokenIds);
  }

  public SamplingParams withTopP(double p) {
    return new SamplingParams(maxNewTokens, temperature, topK, p, seed, eosTokenIds);
  }

  public SamplingParams withSeed(long s) {
    return new SamplingParams(maxNewTokens, temperature, topK, topP, s, eosTokenIds);
  }

  public SamplingParams withEosTokenIds(Set<Integer> ids) {
    return new SamplingParams(maxNewTokens, temperature, topK, topP, seed, ids);
  }
}
