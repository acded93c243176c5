package dev.tune.trainer.model.generation;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks one token from a row of logits as transformers' generation does: argmax when greedy;
 * otherwise temperature, then top-k, then top-p, then a draw from the softmax.
 */
public final class TokenSampler {

  private final SamplingParams params;

  public TokenSampler(SamplingParams params) {
    this.params = params;
  }

  public int pick(float[] logits, RandomGenerator random) {
    if (params.isGreedy()) {
      return argmax(logits);
    }
    int n = logits.length;
    double[] scaled = new double[n];
    for (int i = 0; i < n; i++) {
      scaled[i] = logits[i] / params.temperature();
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scaled[b], scaled[a]));
    int keep = n;
    if (params.topK() > 0 && params.topK() < n) {
      // transformers drops tokens strictly below the k-th largest logit, so ties with it stay.
      double kth = scaled[order[params.topK() - 1]];
      keep = params.topK();
      while (keep < n && scaled[order[keep]] >= kth) {
        keep++;
      }
    }
    double max = scaled[order[0]];
    double[] probs = new double[keep];
    double sum = 0;
    for (int r = 0; r < keep; r++) {
      probs[r] = Math.exp(scaled[order[r]] - max);
      sum += probs[r];
    }
    if (params.topP() < 1) {
      // Keep the most likely tokens until their probability reaches top_p (at least one).
      double cumulative = 0;
      int kept = 0;
      while (kept < keep) {
        cumulative += probs[kept] / sum;
        kept++;
        if (cumulative >= params.topP()) {
          break;
        }
      }
      keep = kept;
      sum = 0;
      for (int r = 0; r < keep; r++) {
        sum += probs[r];
      }
    }
    double u = random.nextDouble() * sum;
    for (int r = 0; r < keep; r++) {
      u -= probs[r];
      if (u < 0) {
        return order[r];
      }
    }
    return order[keep - 1];
  }

  /** The first index of the largest value, as {@code torch.argmax}. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
