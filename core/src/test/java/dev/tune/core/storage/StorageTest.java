package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.file.FileStorageBackend;
import dev.tune.core.storage.hf.HfStorageBackend;
import dev.tune.core.storage.https.HttpsStorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageTest {
  @TempDir Path dir;

  @Test
  void coreBackendsAreFoundWithServiceLoader() {
    Storage storage = Storage.discover();

    assertThat(storage.schemes()).containsExactly("file", "hf", "https");
    assertThat(storage.backend("file")).isInstanceOf(FileStorageBackend.class);
    assertThat(storage.backend("https")).isInstanceOf(HttpsStorageBackend.class);
    assertThat(storage.backend("hf")).isInstanceOf(HfStorageBackend.class);
  }

  @Test
  void missingCloudSchemeNamesTheModuleThatAddsIt() {
    Storage storage = Storage.discover();

    assertThatThrownBy(() -> storage.fetch(ArtifactUri.parse("s3://bucket/model")))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> {
              assertThat(e.getMessage())
                  .contains("s3:// needs the tune-cloud-aws module on the classpath")
                  .contains("Available: file://, hf://, https://.");
              assertThat(e.fix()).contains("tune-cloud-aws");
            });
    assertThatThrownBy(() -> storage.list(ArtifactUri.parse("gs://bucket/data")))
        .hasMessageContaining("gs:// needs the tune-cloud-gcp module");
  }

  @Test
  void plainPathsGoToTheFileBackend() throws Exception {
    Path file = Files.writeString(dir.resolve("train.jsonl"), "{}\n");

    Path fetched = Storage.discover().fetch(ArtifactUri.parse("train.jsonl", dir));

    assertThat(fetched).isEqualTo(file);
  }

  @Test
  void twoBackendsForOneSchemeAreRejected() {
    assertThatThrownBy(
            () -> Storage.of(List.of(new FileStorageBackend(), new FileStorageBackend())))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("serve file://");
  }

  @Test
  void withReplacesTheBackendOfItsSchemes() {
    StorageBackend other =
        new StorageBackend() {
          @Override
          public Set<String> schemes() {
            return Set.of("file");
          }

          @Override
          public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
            return dir;
          }

          @Override
          public List<StoredFile> list(ArtifactUri location) {
            return List.of();
          }
        };

    Storage storage = Storage.discover().with(other);

    assertThat(storage.backend("file")).isSameAs(other);
    assertThat(storage.backend("hf")).isInstanceOf(HfStorageBackend.class);
  }

  @Test
  void readOnlyBackendsRefuseUploads() {
    Storage storage = Storage.discover();

    assertThatThrownBy(
            () ->
                storage.upload(
                    dir, ArtifactUri.parse("https://example.com/x"), ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("https:// is read-only");
    assertThatThrownBy(
            () ->
                storage.upload(
                    dir, ArtifactUri.parse("hf://org/name@main"), ProgressListener.none()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not upload");
  }
}
