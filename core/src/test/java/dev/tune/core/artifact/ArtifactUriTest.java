package dev.tune.core.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.ErrorKind;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactUriTest {
  private static final Path BASE = Path.of("/work/project");

  @Test
  void plainRelativePathBecomesFileUriUnderBaseDir() {
    ArtifactUri uri = ArtifactUri.parse("data/train.jsonl", BASE);

    assertThat(uri).isEqualTo(new FileUri(Path.of("/work/project/data/train.jsonl")));
    assertThat(uri.scheme()).isEqualTo("file");
    assertThat(uri).hasToString("file:///work/project/data/train.jsonl");
  }

  @Test
  void plainAbsolutePathIsKeptAndNormalized() {
    assertThat(ArtifactUri.parse("/data/./x/../train.jsonl", BASE))
        .isEqualTo(new FileUri(Path.of("/data/train.jsonl")));
  }

  @Test
  void fileUriForms() {
    assertThat(ArtifactUri.parse("file:///models/out", BASE))
        .isEqualTo(new FileUri(Path.of("/models/out")));
    assertThat(ArtifactUri.parse("file://localhost/models/out", BASE))
        .isEqualTo(new FileUri(Path.of("/models/out")));
    // Not RFC 8089, but what people mean by it.
    assertThat(ArtifactUri.parse("file://./out", BASE))
        .isEqualTo(new FileUri(Path.of("/work/project/out")));
  }

  @Test
  void homeDirectoryIsExpanded() {
    assertThat(ArtifactUri.parse("~/data.jsonl", BASE))
        .isEqualTo(new FileUri(Path.of(System.getProperty("user.home"), "data.jsonl")));
  }

  @Test
  void s3Uri() {
    ArtifactUri uri = ArtifactUri.parse("s3://my-bucket.v2/tune/models/run-1");

    assertThat(uri).isEqualTo(new S3Uri("my-bucket.v2", "tune/models/run-1"));
    assertThat(uri).hasToString("s3://my-bucket.v2/tune/models/run-1");
    assertThat(ArtifactUri.parse("s3://my-bucket")).isEqualTo(new S3Uri("my-bucket", ""));
  }

  @Test
  void gcsUri() {
    ArtifactUri uri = ArtifactUri.parse("gs://my_bucket/a/b.jsonl");

    assertThat(uri).isEqualTo(new GcsUri("my_bucket", "a/b.jsonl"));
    assertThat(uri.scheme()).isEqualTo("gs");
  }

  @Test
  void hfModelWithRevision() {
    ArtifactUri uri = ArtifactUri.parse("hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@fe8a4ea");

    assertThat(uri)
        .isEqualTo(
            new HfUri(HfUri.RepoType.MODEL, "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "fe8a4ea", ""));
    assertThat(uri).hasToString("hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@fe8a4ea");
  }

  @Test
  void hfModelWithoutRevisionMeansMain() {
    assertThat(ArtifactUri.parse("hf://meta-llama/Llama-3.2-1B"))
        .isEqualTo(HfUri.model("meta-llama/Llama-3.2-1B", "main"));
  }

  @Test
  void hfDatasetWithRevisionAndPath() {
    ArtifactUri uri = ArtifactUri.parse("hf://datasets/org/support-chats@v1.2/data/train.jsonl");

    assertThat(uri)
        .isEqualTo(
            new HfUri(HfUri.RepoType.DATASET, "org/support-chats", "v1.2", "data/train.jsonl"));
    assertThat(uri).hasToString("hf://datasets/org/support-chats@v1.2/data/train.jsonl");
  }

  @Test
  void httpsUri() {
    ArtifactUri uri = ArtifactUri.parse("https://example.com:8443/models/tiny/config.json?v=2");

    assertThat(uri).isInstanceOf(HttpsUri.class);
    assertThat(uri.scheme()).isEqualTo("https");
    assertThat(((HttpsUri) uri).host()).isEqualTo("example.com");
    assertThat(uri).hasToString("https://example.com:8443/models/tiny/config.json?v=2");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://example.com/a%20b/c.json",
        "https://example.com",
        "s3://bucket-1/key/with spaces",
        "gs://bucket/o",
        "hf://org/name@main",
        "hf://datasets/org/name@3f2a/train.jsonl",
        "file:///tmp/model dir"
      })
  void canonicalTextParsesBackToEqualValue(String text) {
    ArtifactUri uri = ArtifactUri.parse(text, BASE);

    assertThat(ArtifactUri.parse(uri.toString(), BASE)).isEqualTo(uri);
    assertThat(uri).hasToString(text);
  }

  @Test
  void resolveAppendsSegments() {
    assertThat(ArtifactUri.parse("s3://bkt/tune").resolve("models/x"))
        .hasToString("s3://bkt/tune/models/x");
    assertThat(ArtifactUri.parse("s3://bkt").resolve("/models")).hasToString("s3://bkt/models");
    assertThat(ArtifactUri.parse("gs://bkt/p/").resolve("x")).hasToString("gs://bkt/p/x");
    assertThat(ArtifactUri.parse("hf://o/n@r").resolve("config.json"))
        .hasToString("hf://o/n@r/config.json");
    assertThat(ArtifactUri.parse("/tmp/out").resolve("adapter"))
        .hasToString("file:///tmp/out/adapter");
    assertThat(ArtifactUri.parse("https://h.example/m/").resolve("config.json"))
        .hasToString("https://h.example/m/config.json");
    assertThat(ArtifactUri.parse("https://h.example?sig=1").resolve("/x"))
        .hasToString("https://h.example/x");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|it is empty",
        "'   '|it is empty",
        "http://example.com/model|the scheme 'http' is not supported",
        "s3:bucket/key|'s3:' must be followed by '//'",
        "s3://|the bucket name is missing",
        "s3:///key|the bucket name is missing",
        "s3://My_Bucket/key|must be 3 to 63 lower-case letters",
        "s3://ab/key|must be 3 to 63 lower-case letters",
        "s3://192.168.1.1/key|look like an IP address",
        "s3://a..b/key|must not contain '..'",
        "gs://googbucket/x|must not start with 'goog'",
        "gs://-bucket/x|must be 3 to 63",
        "hf://just-a-name|a Hub repository is named ORG/NAME",
        "hf://org/name@|the revision after '@' is empty",
        "hf://org/na--me|must not contain '--'",
        "hf://spaces/org/app|Spaces are not supported",
        "hf://org/name@bad~rev|the revision 'bad~rev'",
        "https:example.com/x|'https:' must be followed by '//'",
        "https:///x|the host name is missing",
        "https://user:pw@example.com/x|must not contain a user name or password",
        "https://example.com/x#part|must not contain a fragment",
        "https://exa mple.com/x|not a valid URL",
      })
  void rejectsMalformedUrisWithReason(String text, String reason) {
    assertThatThrownBy(() -> ArtifactUri.parse(text, BASE))
        .isInstanceOfSatisfying(
            InvalidArtifactUriException.class,
            e -> {
              assertThat(e.reason()).contains(reason);
              assertThat(e.kind()).isEqualTo(ErrorKind.BAD_INPUT);
              assertThat(e.fix()).contains("s3://BUCKET/KEY");
            });
  }

  @Test
  void recordConstructorsCheckTooSoThatNoInvalidValueExists() {
    assertThatThrownBy(() -> new S3Uri("UPPER", "k"))
        .isInstanceOf(InvalidArtifactUriException.class);
    assertThatThrownBy(() -> new GcsUri("bkt", "/k"))
        .isInstanceOf(InvalidArtifactUriException.class);
    assertThatThrownBy(() -> HfUri.model("no-org", "main"))
        .isInstanceOf(InvalidArtifactUriException.class);
    assertThatThrownBy(() -> new HttpsUri(URI.create("http://example.com/x")))
        .isInstanceOf(InvalidArtifactUriException.class);
  }
}
