package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.spec;
import static dev.tune.trainer.data.DataFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataInspectorTest {

  @TempDir Path dir;

  @Test
  void percentilesAreNearestRank() {
    int[] shuffled = IntStream.rangeClosed(1, 100).map(i -> (i * 37) % 100 + 1).toArray();

    DataInspection.Lengths l = DataInspector.lengths(shuffled);

    assertThat(l).isEqualTo(new DataInspection.Lengths(1, 50, 90, 95, 99, 100, 50.5));
  }

  @Test
  void countsRowsBadRowsAndRowsOverTheLimit() {
    Path file =
        write(
            dir,
            "p.jsonl",
            """
            {"prompt": "a", "completion": "b"}
            {"prompt": "a"}
            not json
            {"prompt": "a long prompt of many many words", "completion": "b"}
            """);
    try (ModelTokenizer tok = DataFixtures.tokenizer()) {
      int shortLength = tok.encode("a", true).length + tok.encode("b", false).length + 1;

      DataInspection d =
          DataInspector.inspect(
              List.of(file), spec().maxSeqLength(shortLength).build(), Optional.of(tok));

      assertThat(d.rows()).isEqualTo(4);
      assertThat(d.badRows()).isEqualTo(2);
      assertThat(d.badRowMessages()).hasSize(2);
      assertThat(d.schema()).isEqualTo("prompt_completion (prompt/completion)");
      assertThat(d.lengths().orElseThrow().min()).isEqualTo(shortLength);
      assertThat(d.wouldTruncate()).isEqualTo(1);
      assertThat(d.wouldDrop()).isZero();
      assertThat(d.sample().orElseThrow().rendered().text()).isEqualTo("ab");
    }
  }
}
