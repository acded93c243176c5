package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.progress.TransferProgress.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncedDownloadTest {
  private static final Instant WRITTEN = Instant.parse("2026-03-01T12:00:00Z");

  private static final SyncedDownload.Body NOT_AGAIN =
      part -> {
        throw new AssertionError("a current file was downloaded again");
      };

  @TempDir Path temp;
  private final List<ProgressEvent> events = new ArrayList<>();

  private FileProgress progress() {
    return new FileProgress(ArtifactUri.parse("s3://data/sets/train.jsonl"), events::add);
  }

  private List<Phase> phases() {
    return events.stream().map(e -> ((TransferProgress) e).phase()).toList();
  }

  private List<String> namesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesThroughAHiddenPartFileAndStampsTheObjectsTime() throws Exception {
    Path target = temp.resolve("data/train.jsonl");
    List<Path> parts = new ArrayList<>();

    SyncedDownload.fetch(
        target,
        5,
        WRITTEN,
        progress(),
        part -> {
          parts.add(part);
          Files.writeString(part, "hello");
        });

    assertThat(target).hasContent("hello");
    assertThat(Files.getLastModifiedTime(target).toInstant()).isEqualTo(WRITTEN);
    assertThat(parts.getFirst().getParent()).isEqualTo(target.getParent());
    assertThat(parts.getFirst().getFileName().toString())
        .matches("\\.train\\.jsonl\\.[0-9a-f-]{36}\\.part");
    assertThat(namesIn(target.getParent())).containsExactly("train.jsonl");
    assertThat(phases()).containsExactly(Phase.STARTED, Phase.DONE);
    assertThat(SyncedDownload.isCurrent(target, 5, WRITTEN)).isTrue();
  }

  @Test
  void aCurrentFileMovesNothing() throws Exception {
    Path target = temp.resolve("train.jsonl");
    Files.writeString(target, "hello");
    Files.setLastModifiedTime(target, FileTime.from(WRITTEN));

    SyncedDownload.fetch(target, 5, WRITTEN, progress(), NOT_AGAIN);

    assertThat(phases()).containsExactly(Phase.CACHED);
    assertThat(SyncedDownload.isCurrent(target, 5, WRITTEN.plusSeconds(1))).isFalse();
    assertThat(SyncedDownload.isCurrent(target, 6, WRITTEN)).isFalse();
  }

  @Test
  void aFailedDownloadLeavesNeitherPartNorTarget() throws Exception {
    Path target = temp.resolve("train.jsonl");

    assertThatThrownBy(
            () ->
                SyncedDownload.fetch(
                    target,
                    5,
                    WRITTEN,
                    progress(),
                    part -> {
                      Files.writeString(part, "hel");
                      throw new IOException("connection reset");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset");

    assertThat(namesIn(temp)).isEmpty();
  }

  @Test
  void stalePartsOfTheTargetGoEvenWhenItIsCurrentOthersStay() throws Exception {
    Path target = temp.resolve("model[1].bin");
    Files.writeString(target, "hello");
    Files.setLastModifiedTime(target, FileTime.from(WRITTEN));
    Path stale = temp.resolve(".model[1].bin.0b7c8f4e-2a61-4d0f-9a5e-3f1c2d4e5a6b.part");
    Path live = temp.resolve(".model[1].bin.5d2e1f3a-7b8c-4d9e-8f0a-1b2c3d4e5f60.part");
    Path otherTarget = temp.resolve(".model.bin.9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.part");
    Path notAPart = temp.resolve(".model[1].bin.notes.part");
    for (Path file : List.of(stale, live, otherTarget, notAPart)) {
      Files.writeString(file, "he");
    }
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    for (Path file : List.of(stale, otherTarget, notAPart)) {
      Files.setLastModifiedTime(file, hourAgo);
    }

    SyncedDownload.fetch(target, 5, WRITTEN, progress(), NOT_AGAIN);

    assertThat(stale).doesNotExist();
    assertThat(live).exists();
    assertThat(otherTarget).exists();
    assertThat(notAPart).exists();
  }

  @Test
  void aTargetInADirectoryNotYetMadeHasNoStaleParts() throws Exception {
    Path target = temp.resolve("new/dir/train.jsonl");

    SyncedDownload.fetch(target, 2, WRITTEN, progress(), part -> Files.writeString(part, "hi"));

    assertThat(target).hasContent("hi");
  }
}
