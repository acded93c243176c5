package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  @TempDir Path out;

  private static void complete(Path dir) throws IOException {
    Files.writeString(dir.resolve(TrainerState.FILE_NAME), "{}");
    Files.writeString(dir.resolve("adapter_model.safetensors"), "weights");
  }

  @Test
  void keepsTheNewestCheckpointsWithinTheLimit() {
    CheckpointStore store = new CheckpointStore(out, OptionalInt.of(2));
    for (int step : new int[] {5, 10, 15, 20}) {
      store.save(step, CheckpointStoreTest::complete);
    }
    assertThat(store.checkpoints())
        .containsExactly(out.resolve("checkpoint-15"), out.resolve("checkpoint-20"));
    assertThat(store.latest()).contains(out.resolve("checkpoint-20"));
  }

  @Test
  void theRotationSparesTheKeptCheckpointAndTheNewest() {
    CheckpointStore store = new CheckpointStore(out, OptionalInt.of(2));
    store.save(1, CheckpointStoreTest::complete);
    store.keep(2);
    for (int step = 2; step <= 5; step++) {
      store.save(step, CheckpointStoreTest::complete);
    }
    assertThat(store.checkpoints())
        .containsExactly(out.resolve("checkpoint-2"), out.resolve("checkpoint-5"));

    CheckpointStore one = new CheckpointStore(out.resolve("one"), OptionalInt.of(1));
    one.keep(1);
    for (int step = 1; step <= 3; step++) {
      one.save(step, CheckpointStoreTest::complete);
    }
    // like transformers with save_total_limit 1: the best and the newest
    assertThat(one.checkpoints())
        .containsExactly(out.resolve("one/checkpoint-1"), out.resolve("one/checkpoint-3"));
  }

  @Test
  void ordersCheckpointsByStepNotByName() {
    CheckpointStore store = new CheckpointStore(out, OptionalInt.empty());
    for (int step : new int[] {100, 20, 3}) {
      store.save(step, CheckpointStoreTest::complete);
    }
    assertThat(store.checkpoints().stream().map(p -> p.getFileName().toString()))
        .containsExactly("checkpoint-3", "checkpoint-20", "checkpoint-100");
  }

  @Test
  void aFailedSaveLeavesNothingBehind() throws IOException {
    CheckpointStore store = new CheckpointStore(out, OptionalInt.empty());
    store.save(1, CheckpointStoreTest::complete);
    assertThatThrownBy(
            () ->
                store.save(
                    2,
                    dir -> {
                      Files.writeString(dir.resolve("adapter_model.safetensors"), "half");
                      throw new IOException("disk full");
                    }))
        .hasMessageContaining("checkpoint-2");
    try (Stream<Path> entries = Files.list(out)) {
      assertThat(entries.map(p -> p.getFileName().toString()).toList())
          .containsExactly("checkpoint-1");
    }
    assertThat(store.latest()).contains(out.resolve("checkpoint-1"));
  }

  @Test
  void ignoresIncompleteDirectoriesAndRemovesTemporaries() throws IOException {
    Files.createDirectories(out.resolve("checkpoint-9"));
    Files.createDirectories(out.resolve(".tmp-checkpoint-12-123"));
    Files.writeString(out.resolve(".tmp-checkpoint-12-123/trainer_state.json"), "{}");
    CheckpointStore store = new CheckpointStore(out, OptionalInt.empty());
    assertThat(store.latest()).isEmpty();
    store.removeTemporaries();
    try (Stream<Path> entries = Files.list(out)) {
      assertThat(entries.map(p -> p.getFileName().toString()).toList())
          .containsExactly("checkpoint-9");
    }
  }

  @Test
  void readsTheStepFromTheName() {
    assertThat(CheckpointStore.step(Path.of("/x/checkpoint-42"))).hasValue(42);
    assertThat(CheckpointStore.step(Path.of("/x/checkpoint-best"))).isEmpty();
  }

  @Test
  void refusesALimitBelowOne() {
    assertThatThrownBy(() -> new CheckpointStore(out, OptionalInt.of(0)))
        .hasMessageContaining("save_total_limit");
  }
}
