package dev.tune.core.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.StoredFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageBackendTest {
  private final FileStorageBackend backend = new FileStorageBackend();

  @TempDir Path dir;
  private Path model;

  @BeforeEach
  void makeModelDir() throws Exception {
    model = dir.resolve("model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("config.json"), "{\"a\":1}");
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5});
    Files.write(model.resolve("pytorch_model.bin"), new byte[] {9, 9});
    Files.writeString(model.resolve("sub/notes.txt"), "hello");
  }

  @Test
  void fetchWithoutDestinationIsThePathItself() {
    assertThat(backend.fetch(FileUri.of(model), FetchOptions.defaults(), ProgressListener.none()))
        .isEqualTo(model);
  }

  @Test
  void fetchIntoDestinationCopiesTheSelectedFiles() throws Exception {
    Path out = dir.resolve("out");
    List<ProgressEvent> events = new ArrayList<>();

    Path fetched =
        backend.fetch(
            FileUri.of(model),
            FetchOptions.builder().destination(out).ignore("*.txt").build(),
            events::add);

    assertThat(fetched).isEqualTo(out);
    assertThat(filesBelow(out)).containsExactly("config.json", "model.safetensors");
    assertThat(Files.readAllBytes(out.resolve("model.safetensors"))).containsExactly(1, 2, 3, 4, 5);
    assertThat(events)
        .filteredOn(e -> ((TransferProgress) e).phase() == TransferProgress.Phase.DONE)
        .extracting(e -> e.resource().id())
        .containsExactly(
            "file://" + model.resolve("config.json"),
            "file://" + model.resolve("model.safetensors"));
  }

  @Test
  void fetchOfOneFileIntoDestinationKeepsItsName() throws Exception {
    Path out = dir.resolve("out");

    Path fetched =
        backend.fetch(
            FileUri.of(model.resolve("config.json")),
            FetchOptions.builder().destination(out).build(),
            ProgressListener.none());

    assertThat(fetched).isEqualTo(out.resolve("config.json"));
    assertThat(Files.readString(fetched)).isEqualTo("{\"a\":1}");
  }

  @Test
  void fetchOfMissingPathIsNotFound() {
    assertThatThrownBy(
            () ->
                backend.fetch(
                    FileUri.of(dir.resolve("nope")),
                    FetchOptions.defaults(),
                    ProgressListener.none()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("no such file or directory");
  }

  @Test
  void listGivesRelativePathsAndSizes() {
    assertThat(backend.list(FileUri.of(model)))
        .containsExactly(
            StoredFile.of("config.json", 7),
            StoredFile.of("model.safetensors", 5),
            StoredFile.of("pytorch_model.bin", 2),
            StoredFile.of("sub/notes.txt", 5));
    assertThat(backend.list(FileUri.of(model.resolve("sub/notes.txt"))))
        .containsExactly(StoredFile.of("notes.txt", 5));
  }

  @Test
  void uploadOfADirectoryMakesTheDestinationACopy() throws Exception {
    Path target = dir.resolve("uploaded/run-1");

    ArtifactUri where = backend.upload(model, FileUri.of(target), ProgressListener.none());

    assertThat(where).isEqualTo(FileUri.of(target));
    assertThat(filesBelow(target)).isEqualTo(filesBelow(model));
    assertThat(Files.readString(target.resolve("sub/notes.txt"))).isEqualTo("hello");
    try (Stream<Path> left = Files.list(target)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void uploadOfAFileMakesTheDestinationThatFile() throws Exception {
    Path target = dir.resolve("a/b/c.json");

    backend.upload(model.resolve("config.json"), FileUri.of(target), ProgressListener.none());

    assertThat(Files.readString(target)).isEqualTo("{\"a\":1}");
  }

  @Test
  void uploadRefusesMissingSourcesFilesOntoDirectoriesAndDirectoriesIntoThemselves() {
    assertThatThrownBy(
            () ->
                backend.upload(
                    dir.resolve("nope"), FileUri.of(dir.resolve("x")), ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not exist");
    assertThatThrownBy(
            () ->
                backend.upload(
                    model.resolve("config.json"), FileUri.of(model), ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("that is a directory");
    assertThatThrownBy(
            () ->
                backend.upload(model, FileUri.of(model.resolve("sub/x")), ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("inside it");
  }

  private static List<String> filesBelow(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}
