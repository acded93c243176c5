package dev.tune.trainer.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.NotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointReaderTest {

  @TempDir Path dir;

  private static TensorSource u8(String name, int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return TensorSource.of(name, SafetensorsDtype.U8, new long[] {b.length}, ByteBuffer.wrap(b));
  }

  private void shard(String file, TensorSource... tensors) {
    SafetensorsWriter.create().writeFile(dir.resolve(file), List.of(tensors));
  }

  private void index(String json) throws IOException {
    Files.writeString(dir.resolve(CheckpointReader.INDEX_FILE), json);
  }

  @Test
  void readsAShardedCheckpointThroughItsIndex() throws IOException {
    shard("s1.safetensors", u8("a", 1, 2), u8("b", 3));
    shard("s2.safetensors", u8("c", 4, 5, 6));
    index(
        "{\"metadata\":{\"total_size\":6},\"weight_map\":"
            + "{\"c\":\"s2.safetensors\",\"a\":\"s1.safetensors\",\"b\":\"s1.safetensors\"}}");
    try (CheckpointReader reader = CheckpointReader.open(dir)) {
      assertThat(reader.names()).containsExactly("c", "a", "b");
      assertThat(reader.files())
          .containsExactly(dir.resolve("s2.safetensors"), dir.resolve("s1.safetensors"));
      assertThat(reader.totalSize()).hasValue(6);
      assertThat(reader.info("c").shape()).containsExactly(3);
      assertThat(reader.bytes("c").get(2)).isEqualTo((byte) 6);
      assertThat(reader.metadata()).containsEntry("format", "pt");
      assertThatThrownBy(() -> reader.info("zzz"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no tensor 'zzz'");
    }
  }

  @Test
  void prefersTheSingleFileWhenBothExist() throws IOException {
    shard(CheckpointReader.SINGLE_FILE, u8("x", 1));
    index("{\"weight_map\":{\"y\":\"missing.safetensors\"}}");
    try (CheckpointReader reader = CheckpointReader.open(dir)) {
      assertThat(reader.names()).containsExactly("x");
      assertThat(reader.totalSize()).isEmpty();
    }
  }

  @Test
  void refusesADirectoryWithoutWeights() {
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no model.safetensors or model.safetensors.index.json in " + dir)
        .satisfies(e -> assertThat(((NotFoundException) e).fix()).contains("save_pretrained"));
  }

  @Test
  void refusesAnIndexedTensorMissingFromItsShard() throws IOException {
    shard("s1.safetensors", u8("a", 1));
    index("{\"weight_map\":{\"a\":\"s1.safetensors\",\"ghost\":\"s1.safetensors\"}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .isInstanceOf(InvalidSafetensorsException.class)
        .hasMessageContaining(
            "tensor 'ghost' is indexed in 's1.safetensors', which has no such tensor");
  }

  @Test
  void refusesAMissingShard() throws IOException {
    index("{\"weight_map\":{\"a\":\"gone.safetensors\"}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .isInstanceOf(InvalidSafetensorsException.class)
        .hasMessageContaining("shard 'gone.safetensors' (of tensor 'a') does not exist");
  }

  @Test
  void refusesShardNamesOutsideTheDirectory() throws IOException {
    index("{\"weight_map\":{\"a\":\"../elsewhere.safetensors\"}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .isInstanceOf(InvalidSafetensorsException.class)
        .hasMessageContaining(
            "names '../elsewhere.safetensors', not a file in the model directory");
  }

  @Test
  void refusesMalformedIndexes() throws IOException {
    index("{\"weight_map\":");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .hasMessageContaining("index is not valid JSON");
    index("{\"metadata\":{}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .hasMessageContaining("index has no 'weight_map' object");
    index("{\"weight_map\":{\"a\":3}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .hasMessageContaining("weight_map entry 'a' is not a file name");
    index("{\"metadata\":{\"total_size\":\"big\"},\"weight_map\":{}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .hasMessageContaining("metadata.total_size is not a size");
  }

  @Test
  void aMalformedShardIsReportedByItsPath() throws IOException {
    Files.write(dir.resolve("s1.safetensors"), new byte[] {0, 0});
    index("{\"weight_map\":{\"a\":\"s1.safetensors\"}}");
    assertThatThrownBy(() -> CheckpointReader.open(dir))
        .isInstanceOf(InvalidSafetensorsException.class)
        .hasMessageStartingWith(dir.resolve("s1.safetensors") + ": ");
  }
}
