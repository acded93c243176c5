package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.spec;
import static dev.tune.trainer.data.DataFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizedDatasetTest {

  @TempDir Path dir;

  @Test
  void examplesComeBackInAnyOrderAndTheFileGoesOnClose() {
    List<TokenizedExample> written = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 5000; i++) {
      int n = 1 + random.nextInt(40);
      long[] ids = random.longs(n, 0, 50_000).toArray();
      long[] labels = ids.clone();
      labels[0] = TokenizedExample.IGNORE_INDEX;
      written.add(TokenizedExample.single(ids, labels));
    }
    Path file = dir.resolve("train.examples");

    try (TokenizedDataset stored = TokenizedDataset.write(written.iterator(), file)) {
      assertThat(stored).hasSize(5000);
      assertThat(stored.tokens())
          .isEqualTo(written.stream().mapToLong(TokenizedExample::length).sum());
      for (int k = 0; k < 2000; k++) {
        int i = random.nextInt(5000);
        assertThat(stored.get(i)).isEqualTo(written.get(i));
      }
      assertThatThrownBy(() -> stored.get(5000)).isInstanceOf(IndexOutOfBoundsException.class);
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void aPackedPassIsStoredWithItsPositionsAndSequenceIds() {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      rows.append("{\"prompt\": \"question ")
          .append(i)
          .append("\", \"completion\": \" answer\"}\n");
    }
    Path data = write(dir, "p.jsonl", rows.toString());
    try (ModelTokenizer tok = DataFixtures.tokenizer()) {
      DataPipeline pipeline =
          DataPipeline.open(
              spec().packing(true).maxSeqLength(64).build(), List.of(data), List.of(), tok, 1);
      List<TokenizedExample> direct = new ArrayList<>();
      pipeline.train().forEach(direct::add);

      ExampleIterator pass = pipeline.train().iterator();
      try (TokenizedDataset stored = TokenizedDataset.write(pass, dir.resolve("packed"))) {
        assertThat(stored).containsExactlyElementsOf(direct);
        assertThat(pass.report().examples()).isEqualTo(200);
      }
    }
  }
}
