package dev.tune.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.JobRef;
import dev.tune.core.Tune;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.ProviderRegistry;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.provider.SageMakerSettings;
import dev.tune.core.provider.VertexSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProviderTest {
  @TempDir Path workDir;

  @Test
  void uploadCopiesToLocalPathsOnly() throws Exception {
    Path source = Files.writeString(workDir.resolve("data.jsonl"), "{}\n");
    try (LocalClient client = LocalClient.open(new LocalSettings(workDir))) {
      FileUri destination = FileUri.of(workDir.resolve("copies/data-copy.jsonl"));
      ArtifactUri copied = client.upload(source, destination);

      assertThat(copied).isEqualTo(destination);
      assertThat(destination.path()).hasContent("{}");
      assertThatThrownBy(() -> client.upload(source, ArtifactUri.parse("s3://bucket/data")))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("s3://bucket/data");
    }
  }

  @Test
  void theSdkFindsTheLocalProviderAndUsesItsWorkDirectory() {
    assertThat(ProviderRegistry.discover().get("local")).isInstanceOf(LocalProvider.class);
    ProviderSettings settings =
        new ProviderSettings(
            "local",
            new LocalSettings(workDir),
            SageMakerSettings.defaults(),
            VertexSettings.defaults());
    try (Tune tune = Tune.connect(ProviderRegistry.discover(), settings)) {
      assertThat(tune.jobs().list()).isEmpty();
      assertThat(tune.models().list()).isEmpty();
      assertThat(tune.endpoints().list()).isEmpty();
      assertThatThrownBy(() -> tune.jobs().resume(new JobRef("local", "no-such-job")))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining(workDir.toString());
    }
  }
}
