package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two samples packed in one row, with sequence ids and positions restarting per sample, give the
 * logits each sample gets alone; with a plain causal mask the second sample's logits change.
 */
class PackedForwardTest {

  private static final long[] FIRST = {0, 17, 42, 99, 7};
  private static final long[] SECOND = {0, 256, 3, 88};

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void packedSamplesGetTheLogitsTheyGetAlone(String fixture) {
    Path dir = Fixtures.dir(fixture);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(dir, m, LoadOptions.defaults())) {
      NDArray alone1 = model.logits(m.create(FIRST, new Shape(1, FIRST.length)));
      NDArray alone2 = model.logits(m.create(SECOND, new Shape(1, SECOND.length)));

      int n = FIRST.length + SECOND.length;
      long[] ids = new long[n];
      long[] positions = new long[n];
      long[] sequences = new long[n];
      for (int t = 0; t < n; t++) {
        boolean first = t < FIRST.length;
        ids[t] = first ? FIRST[t] : SECOND[t - FIRST.length];
        positions[t] = first ? t : t - FIRST.length;
        sequences[t] = first ? 0 : 1;
      }
      NDArray packedIds = m.create(ids, new Shape(1, n));
      NDArray packed =
          model.forward(
              ForwardInput.of(packedIds)
                  .withPositionIds(m.create(positions, new Shape(1, n)))
                  .withSequenceIds(m.create(sequences, new Shape(1, n))));

      NDArray packed1 = packed.get(":, 0:{}, :", FIRST.length);
      NDArray packed2 = packed.get(":, {}:, :", FIRST.length);
      assertThat(packed1.sub(alone1).abs().max().getFloat()).isLessThan(1e-5f);
      assertThat(packed2.sub(alone2).abs().max().getFloat()).isLessThan(1e-5f);

      NDArray leaky =
          model.forward(
              ForwardInput.of(packedIds).withPositionIds(m.create(positions, new Shape(1, n))));
      NDArray leaky2 = leaky.get(":, {}:, :", FIRST.length);
      assertThat(leaky2.sub(alone2).abs().max().getFloat()).isGreaterThan(1e-3f);
    }
  }
}
