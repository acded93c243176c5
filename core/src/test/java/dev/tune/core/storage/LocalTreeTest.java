package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTreeTest {
  @TempDir Path temp;

  @Test
  void namesFilesBelowBySlashSeparatedPathsSortedLeavingOutDirectories() throws Exception {
    Files.createDirectories(temp.resolve("b/c"));
    Files.createDirectories(temp.resolve("empty"));
    Files.writeString(temp.resolve("b/c/weights.bin"), "w");
    Files.writeString(temp.resolve("a.json"), "{}");

    assertThat(LocalTree.files(temp))
        .containsExactly(
            Map.entry("a.json", temp.resolve("a.json")),
            Map.entry("b/c/weights.bin", temp.resolve("b/c/weights.bin")));
  }

  @Test
  void deleteRemovesTheTreeAndAMissingOneIsNothingToDo() throws Exception {
    Path root = temp.resolve("run");
    Files.createDirectories(root.resolve("checkpoints/checkpoint-2"));
    Files.writeString(root.resolve("checkpoints/checkpoint-2/adapter.safetensors"), "x");
    Files.writeString(root.resolve("metrics.json"), "{}");
    Path outside = Files.writeString(temp.resolve("kept.txt"), "kept");

    LocalTree.delete(root);
    LocalTree.delete(root);
    LocalTree.deleteQuietly(temp.resolve("never-made"));

    assertThat(root).doesNotExist();
    assertThat(outside).hasContent("kept");
  }
}
