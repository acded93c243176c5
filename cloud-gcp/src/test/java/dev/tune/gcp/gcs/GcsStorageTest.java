package dev.tune.gcp.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The module on the classpath is all it takes for {@link Storage} to read gs://. */
class GcsStorageTest {
  @RegisterExtension static final WireMockExtension WIRE = FakeGcs.server();

  private final FakeGcs gcs = new FakeGcs(WIRE);
  @TempDir Path temp;
  private String saved;

  // The environment cannot be set from a test; the system property of the same name can.
  @BeforeEach
  void pointTheBackendAtTheFakeStore() {
    saved = System.getProperty("STORAGE_EMULATOR_HOST");
    System.setProperty("STORAGE_EMULATOR_HOST", gcs.host().toString());
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("STORAGE_EMULATOR_HOST");
    } else {
      System.setProperty("STORAGE_EMULATOR_HOST", saved);
    }
  }

  @Test
  void storageFindsTheGcsBackendAndFetchesThroughIt() {
    byte[] config = "{\"model_type\":\"llama\"}".getBytes(StandardCharsets.UTF_8);
    gcs.listing("models", "base/", List.of("base/config.json"), List.of(config));
    gcs.object("models", "base/config.json", config);
    Storage storage = Storage.discover();

    assertThat(storage.backend("gs")).isInstanceOf(GcsStorageBackend.class);
    Path fetched =
        storage.fetch(
            ArtifactUri.parse("gs://models/base"),
            FetchOptions.builder().destination(temp).build(),
            ProgressListener.none());

    assertThat(fetched.resolve("config.json")).hasContent("{\"model_type\":\"llama\"}");
  }
}
