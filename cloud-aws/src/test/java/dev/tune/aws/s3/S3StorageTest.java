package dev.tune.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** The module on the classpath is all it takes for {@link Storage} to read and write s3://. */
class S3StorageTest {
  // How the AWS SDK and the backend's no-argument constructor take settings besides the
  // environment, which a test cannot set.
  private static final List<String> PROPERTIES =
      List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.endpointUrlS3");

  @RegisterExtension final LocalS3 s3 = new LocalS3();
  @TempDir Path temp;
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void pointTheDefaultChainAtLocalS3() {
    PROPERTIES.forEach(p -> saved.put(p, System.getProperty(p)));
    System.setProperty("aws.accessKeyId", LocalS3.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", LocalS3.SECRET_KEY);
    System.setProperty("aws.region", "eu-west-1");
    System.setProperty("aws.endpointUrlS3", s3.endpoint().toString());
  }

  @AfterEach
  void restore() {
    saved.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
  }

  @Test
  void storageFindsTheS3BackendAndMovesFilesThroughIt() throws Exception {
    s3.client().createBucket(b -> b.bucket("models"));
    s3.client()
        .putObject(
            b -> b.bucket("models").key("base/config.json"),
            RequestBody.fromString("{\"model_type\":\"llama\"}"));
    Storage storage = Storage.discover();

    assertThat(storage.backend("s3")).isInstanceOf(S3StorageBackend.class);
    Path fetched =
        storage.fetch(
            ArtifactUri.parse("s3://models/base/"),
            FetchOptions.builder().destination(temp.resolve("base")).build(),
            ProgressListener.none());
    assertThat(fetched.resolve("config.json")).hasContent("{\"model_type\":\"llama\"}");

    Path merged = Files.createDirectories(temp.resolve("merged"));
    Files.writeString(merged.resolve("adapter_config.json"), "{\"r\":8}");
    storage.upload(merged, ArtifactUri.parse("s3://models/tuned"), ProgressListener.none());
    assertThat(
            s3.client()
                .getObjectAsBytes(b -> b.bucket("models").key("tuned/adapter_config.json"))
                .asUtf8String())
        .isEqualTo("{\"r\":8}");
  }
}
