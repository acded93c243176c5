package dev.tune.trainer.data;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Which rows of the training files are held out for evaluation: {@code ceil(fraction * rows)} of
 * them (as {@code datasets}' {@code train_test_split} counts), chosen uniformly with a seeded
 * random generator, so the same seed always holds out the same rows. One bit per row.
 */
final class EvalSplit {

  private final BitSet eval;

  private EvalSplit(BitSet eval) {
    this.eval = eval;
  }

  static EvalSplit of(long rows, double fraction, long seed) {
    if (rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("eval_split supports up to 2^31 rows, got " + rows);
    }
    int n = (int) rows;
    int k = (int) Math.min(n, Math.ceil(fraction * n));
    BitSet chosen = new BitSet(n);
    // Floyd's algorithm: k distinct indices with k draws.
    SplittableRandom random = new SplittableRandom(seed);
    for (int j = n - k; j < n; j++) {
      int t = random.nextInt(j + 1);
      chosen.set(chosen.get(t) ? j : t);
    }
    return new EvalSplit(chosen);
  }

  boolean isEval(long row) {
    return eval.get((int) row);
  }

  int evalRows() {
    return eval.cardinality();
  }
}
