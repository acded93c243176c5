package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.spec;
import static dev.tune.trainer.data.DataFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.ForwardInput;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackingTest {

  private static final long X = TokenizedExample.IGNORE_INDEX;

  @TempDir Path dir;

  private static TokenizedExample example(long first, int length) {
    long[] ids = new long[length];
    for (int t = 0; t < length; t++) {
      ids[t] = first + t;
    }
    return TokenizedExample.single(ids, ids.clone());
  }

  private static List<TokenizedExample> pack(List<TokenizedExample> in, int rowLength) {
    List<TokenizedExample> out = new ArrayList<>();
    new Packer(in.iterator(), rowLength, 99, 10, () -> {}).forEachRemaining(out::add);
    return out;
  }

  @Test
  void bestFitDecreasingFillsRowsWithRestartingPositionsAndOwnSequenceIds() {
    TokenizedExample a = example(10, 3);
    TokenizedExample b = example(20, 4);
    TokenizedExample c = example(30, 5);
    TokenizedExample d = example(40, 2);

    List<TokenizedExample> rows = pack(List.of(a, b, c, d), 8);

    // Longest first: c opens row 0, b row 1; a fits row 0 exactly, d the 4 left in row 1.
    assertThat(rows).hasSize(2);
    TokenizedExample r0 = rows.get(0);
    assertThat(r0.inputIds()).containsExactly(30, 31, 32, 33, 34, 10, 11, 12);
    assertThat(r0.labels()).containsExactly(X, 31, 32, 33, 34, X, 11, 12);
    assertThat(r0.positionIds()).containsExactly(0, 1, 2, 3, 4, 0, 1, 2);
    assertThat(r0.sequenceIds()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1);
    TokenizedExample r1 = rows.get(1);
    assertThat(r1.inputIds()).containsExactly(20, 21, 22, 23, 40, 41, 99, 99);
    assertThat(r1.labels()).containsExactly(X, 21, 22, 23, X, 41, X, X);
    assertThat(r1.positionIds()).containsExactly(0, 1, 2, 3, 0, 1, 0, 1);
    assertThat(r1.sequenceIds()).containsExactly(0, 0, 0, 0, 1, 1, 2, 2);
    assertThat(r1.samples()).isEqualTo(3);
  }

  @Test
  void packingKeepsEveryTrainedLabelButEachSamplesFirst() {
    List<TokenizedExample> in = new ArrayList<>();
    int trained = 0;
    for (int i = 0; i < 50; i++) {
      TokenizedExample e = example(i * 7L, 1 + (i * 13) % 16);
      in.add(e);
      trained += e.trainedTokens();
    }

    List<TokenizedExample> rows = pack(in, 16);

    int packed = 0;
    long tokens = 0;
    for (TokenizedExample r : rows) {
      assertThat(r.length()).isEqualTo(16);
      packed += r.trainedTokens();
      tokens += Arrays.stream(r.sequenceIds()).filter(s -> s < r.samples()).count();
    }
    // trainedTokens() of an unpacked example never counts position 0, so the sums agree.
    assertThat(packed).isEqualTo(trained);
    assertThat(tokens).isGreaterThanOrEqualTo(in.stream().mapToInt(TokenizedExample::length).sum());
  }

  @Test
  void pipelinePacksRowsOfMaxSeqLengthWithThePadToken() {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      rows.append("{\"text\": \"row number ").append(i).append("\"}\n");
    }
    Path file = write(dir, "t.jsonl", rows.toString());
    try (ModelTokenizer tok = DataFixtures.tokenizer()) {
      DataPipeline data =
          DataPipeline.open(
              spec().packing(true).maxSeqLength(32).build(), List.of(file), List.of(), tok, 1);
      List<TokenizedExample> packed = new ArrayList<>();
      ExampleIterator it = data.train().iterator();
      it.forEachRemaining(packed::add);

      assertThat(packed).allSatisfy(r -> assertThat(r.length()).isEqualTo(32));
      assertThat(packed.stream().mapToInt(r -> r.samples()).sum())
          .isBetween(30, 30 + packed.size());
      assertThat(it.report().packedRows()).isEqualTo(packed.size());
      assertThat(it.report().examples()).isEqualTo(30);
      // The fixture's <pad> (id 2) never comes out of text: every pad is padding, untrained.
      long real = 0;
      for (TokenizedExample r : packed) {
        for (int t = 0; t < r.length(); t++) {
          if (r.inputIds()[t] == 2) {
            assertThat(r.labels()[t]).isEqualTo(X);
          } else {
            real++;
          }
        }
      }
      assertThat(real).isEqualTo(it.report().tokens());
      // These lengths pack without waste: best-fit-decreasing needs no more rows than that.
      assertThat(packed).hasSize((int) Math.ceil(real / 32.0));
    }
  }

  /** Sum over positions of -log p(labels[t+1] | tokens up to t), skipping ignored labels. */
  private static double summedLoss(NDArray logits, long[] labels) {
    int n = labels.length;
    int vocab = (int) logits.getShape().get(2);
    float[] all = logits.toFloatArray();
    double loss = 0;
    for (int t = 0; t + 1 < n; t++) {
      long label = labels[t + 1];
      if (label == X) {
        continue;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < vocab; v++) {
        max = Math.max(max, all[t * vocab + v]);
      }
      double sum = 0;
      for (int v = 0; v < vocab; v++) {
        sum += Math.exp(all[t * vocab + v] - max);
      }
      loss += max + Math.log(sum) - all[t * vocab + (int) label];
    }
    return loss;
  }

  private static NDArray row(NDManager m, long[] values) {
    return m.create(values, new Shape(1, values.length));
  }

  private static NDArray row(NDManager m, int[] values) {
    return m.create(Arrays.stream(values).asLongStream().toArray(), new Shape(1, values.length));
  }

  /**
   * Two samples packed into one row train exactly as they do apart: the packed loss is the sum of
   * their losses. Without the block-diagonal mask the second sample would see the first, and the
   * loss changes, so the mask is what keeps them apart.
   */
  @Test
  void packedSamplesNeverAttendToEachOther() {
    Path file =
        write(
            dir,
            "t.jsonl",
            "{\"text\": \"the quick brown fox\"}\n{\"text\": \"jumps over the lazy dog\"}\n");
    try (ModelTokenizer tok = DataFixtures.tokenizer();
        NDManager m = NDManager.newBaseManager();
        CausalLm model =
            CausalLm.load(DataFixtures.dir("/fixtures/hf/llama"), m, LoadOptions.defaults())) {
      List<TokenizedExample> apart = new ArrayList<>();
      DataPipeline.open(spec().maxSeqLength(48).build(), List.of(file), List.of(), tok, 1)
          .train()
          .forEach(apart::add);
      List<TokenizedExample> packed = new ArrayList<>();
      DataPipeline.open(
              spec().maxSeqLength(48).packing(true).build(), List.of(file), List.of(), tok, 1)
          .train()
          .forEach(packed::add);
      assertThat(apart).hasSize(2);
      assertThat(packed).hasSize(1);
      TokenizedExample p = packed.get(0);
      assertThat(p.samples()).isEqualTo(3); // two samples and the padding

      double separate = 0;
      for (TokenizedExample e : apart) {
        separate += summedLoss(model.logits(row(m, e.inputIds())), e.labels());
      }
      double blockDiagonal =
          summedLoss(
              model.forward(
                  ForwardInput.of(row(m, p.inputIds()))
                      .withPositionIds(row(m, p.positionIds()))
                      .withSequenceIds(row(m, p.sequenceIds()))),
              p.labels());
      double leaky =
          summedLoss(
              model.forward(
                  ForwardInput.of(row(m, p.inputIds())).withPositionIds(row(m, p.positionIds()))),
              p.labels());

      System.out.printf(
          "summed loss: apart %.6f, packed %.6f, packed without the mask %.6f%n",
          separate, blockDiagonal, leaky);
      assertThat(blockDiagonal).isCloseTo(separate, org.assertj.core.data.Offset.offset(1e-3));
      assertThat(Math.abs(leaky - separate)).isGreaterThan(0.05);
    }
  }
}
