package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFilesTest {

  @TempDir Path dir;

  @Test
  void fileListGlobAndDirectory() {
    Path b = write(dir, "data/train-1.jsonl", "{}");
    Path a = write(dir, "data/train-0.jsonl", "{}");
    Path nested = write(dir, "data/more/x.parquet", "");
    write(dir, "data/.hidden.jsonl", "{}");
    write(dir, "data/_SUCCESS.csv", "");
    write(dir, "data/notes.txt", "");
    Path other = write(dir, "eval.csv", "text\nx\n");

    assertThat(DataFiles.resolve(other.toString())).containsExactly(other);
    assertThat(DataFiles.resolve(dir.resolve("data").toString())).containsExactly(nested, a, b);
    assertThat(DataFiles.resolve(dir.resolve("data/train-*.jsonl").toString()))
        .containsExactly(a, b);
    assertThat(DataFiles.resolve(dir.resolve("data/**.parquet").toString()))
        .containsExactly(nested);
    assertThat(DataFiles.resolve(List.of(other.toString(), dir + "/data/*.jsonl")))
        .containsExactly(other, a, b);
  }

  @Test
  void namesThatMatchNothingAreBadInput() {
    write(dir, "empty/notes.txt", "");
    assertThatThrownBy(() -> DataFiles.resolve(dir.resolve("nope.jsonl").toString()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> DataFiles.resolve(dir.resolve("*.csv").toString()))
        .isInstanceOf(BadInputException.class)
        .hasMessage("No data files match " + dir.resolve("*.csv") + ".");
    assertThatThrownBy(() -> DataFiles.resolve(dir.resolve("empty").toString()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("holds no data files");
    assertThatThrownBy(() -> DataFiles.resolve(List.of())).isInstanceOf(BadInputException.class);
  }
}
