package dev.tune.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.progress.TransferProgress.Phase;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.StoredFile;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;

class S3StorageBackendTest {
  @RegisterExtension final LocalS3 s3 = new LocalS3();
  @TempDir Path temp;

  private void put(String bucket, String key, byte[] content) {
    s3.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
  }

  private void put(String bucket, String key, String content) {
    put(bucket, key, content.getBytes(StandardCharsets.UTF_8));
  }

  private static Path fetch(S3StorageBackend backend, String uri) {
    return backend.fetch(ArtifactUri.parse(uri), FetchOptions.defaults(), ProgressListener.none());
  }

  private S3StorageBackend backend() {
    return s3.backend().cacheDir(temp.resolve("cache")).build();
  }

  private static List<Phase> phases(List<ProgressEvent> events) {
    return events.stream().map(e -> ((TransferProgress) e).phase()).toList();
  }

  @Test
  void fetchesAnObjectIntoTheCacheAndASecondFetchMovesNothing() throws Exception {
    s3.client().createBucket(b -> b.bucket("models"));
    byte[] weights = new byte[1_500_000];
    new Random(7).nextBytes(weights);
    put("models", "tiny/model.safetensors", weights);
    S3StorageBackend backend = backend();
    List<ProgressEvent> first = new ArrayList<>();

    Path fetched =
        backend.fetch(
            ArtifactUri.parse("s3://models/tiny/model.safetensors"),
            FetchOptions.defaults(),
            first::add);

    assertThat(fetched)
        .isEqualTo(temp.resolve("cache/models/tiny/model.safetensors"))
        .hasBinaryContent(weights);
    assertThat(phases(first))
        .startsWith(Phase.STARTED)
        .endsWith(Phase.DONE)
        .contains(Phase.PROGRESS);
    assertThat(((TransferProgress) first.getLast()).bytesDone()).isEqualTo(weights.length);
    try (Stream<Path> files = Files.list(fetched.getParent())) {
      assertThat(files).containsExactly(fetched);
    }

    List<ProgressEvent> second = new ArrayList<>();
    backend.fetch(
        ArtifactUri.parse("s3://models/tiny/model.safetensors"),
        FetchOptions.defaults(),
        second::add);
    assertThat(phases(second)).containsExactly(Phase.CACHED);
  }

  @Test
  void aChangedObjectIsFetchedAgain() throws Exception {
    s3.client().createBucket(b -> b.bucket("data"));
    put("data", "train.jsonl", "{\"text\":\"one\"}\n");
    S3StorageBackend backend = backend();
    ArtifactUri uri = ArtifactUri.parse("s3://data/train.jsonl");
    backend.fetch(uri, FetchOptions.defaults(), ProgressListener.none());
    // S3 times are in whole seconds: let the rewrite get a later one.
    Thread.sleep(1100);
    put("data", "train.jsonl", "{\"text\":\"two\"}\n");

    Path again = backend.fetch(uri, FetchOptions.defaults(), ProgressListener.none());

    assertThat(again).hasContent("{\"text\":\"two\"}");
  }

  @Test
  void fetchesAPrefixWithPatternsIntoADestinationSkippingFolderMarkers() throws Exception {
    s3.client().createBucket(b -> b.bucket("models"));
    put("models", "merged/", "");
    put("models", "merged/config.json", "{\"model_type\":\"llama\"}");
    put("models", "merged/model.safetensors", "weights");
    put("models", "merged/pytorch_model.bin", "pickled weights");
    put("models", "merged/tokenizer/tokenizer.json", "{}");
    put("models", "merged-old/config.json", "{}");
    Path destination = temp.resolve("out");
    List<ProgressEvent> events = new ArrayList<>();

    Path fetched =
        backend()
            .fetch(
                ArtifactUri.parse("s3://models/merged"),
                FetchOptions.builder().destination(destination).parallelism(3).build(),
                events::add);

    assertThat(fetched).isEqualTo(destination);
    try (Stream<Path> walk = Files.walk(destination)) {
      assertThat(walk.filter(Files::isRegularFile).map(p -> destination.relativize(p).toString()))
          .containsExactlyInAnyOrder(
              "config.json", "model.safetensors", "tokenizer/tokenizer.json");
    }
    assertThat(destination.resolve("model.safetensors")).hasContent("weights");
    assertThat(events)
        .filteredOn(e -> ((TransferProgress) e).phase() == Phase.DONE)
        .extracting(e -> ((TransferProgress) e).file().toString())
        .containsExactlyInAnyOrder(
            "s3://models/merged/config.json",
            "s3://models/merged/model.safetensors",
            "s3://models/merged/tokenizer/tokenizer.json");

    Path onlyJson =
        backend()
            .fetch(
                ArtifactUri.parse("s3://models/merged/"),
                FetchOptions.builder().allow("*.json").build(),
                ProgressListener.none());
    assertThat(onlyJson).isEqualTo(temp.resolve("cache/models/merged"));
    assertThat(onlyJson.resolve("tokenizer/tokenizer.json")).exists();
    assertThat(onlyJson.resolve("model.safetensors")).doesNotExist();
  }

  @Test
  void listsTheFilesBelowAPrefixWithTheirSizes() {
    s3.client().createBucket(b -> b.bucket("data"));
    put("data", "sets/a/train.jsonl", "12345");
    put("data", "sets/a/eval/eval.jsonl", "123");

    assertThat(backend().list(ArtifactUri.parse("s3://data/sets/a")))
        .containsExactly(StoredFile.of("eval/eval.jsonl", 3), StoredFile.of("train.jsonl", 5));
    assertThat(backend().list(ArtifactUri.parse("s3://data/sets/a/train.jsonl")))
        .containsExactly(StoredFile.of("train.jsonl", 5));
  }

  @Test
  void uploadsADirectoryWithLargeFilesInParts() throws Exception {
    s3.client().createBucket(b -> b.bucket("out"));
    Path model = Files.createDirectories(temp.resolve("model"));
    byte[] big = new byte[6 << 20];
    new Random(3).nextBytes(big);
    Files.write(model.resolve("model.safetensors"), big);
    Files.writeString(Files.createDirectories(model.resolve("sub")).resolve("config.json"), "{}");
    S3StorageBackend backend =
        s3.backend().cacheDir(temp.resolve("cache")).multipart(5 << 20, 5 << 20).build();
    List<ProgressEvent> events = new ArrayList<>();

    ArtifactUri uploaded =
        backend.upload(model, ArtifactUri.parse("s3://out/runs/1/model"), events::add);

    assertThat(uploaded).hasToString("s3://out/runs/1/model");
    String eTag =
        s3.client().headObject(b -> b.bucket("out").key("runs/1/model/model.safetensors")).eTag();
    assertThat(eTag).as("a multipart upload's ETag counts its parts").endsWith("-2\"");
    assertThat(
            s3.client()
                .getObjectAsBytes(b -> b.bucket("out").key("runs/1/model/sub/config.json"))
                .asUtf8String())
        .isEqualTo("{}");
    assertThat(events)
        .filteredOn(e -> ((TransferProgress) e).phase() == Phase.DONE)
        .extracting(e -> ((TransferProgress) e).bytesDone())
        .containsExactlyInAnyOrder((long) big.length, 2L);
    assertThat(s3.client().listMultipartUploads(b -> b.bucket("out")).uploads()).isEmpty();

    Path back =
        backend.fetch(
            ArtifactUri.parse("s3://out/runs/1/model/model.safetensors"),
            FetchOptions.builder().destination(temp.resolve("back")).build(),
            ProgressListener.none());
    assertThat(back).hasBinaryContent(big);
  }

  @Test
  void uploadsAFileUnderItsNameBelowAPrefix() throws Exception {
    s3.client().createBucket(b -> b.bucket("out"));
    Path report = Files.writeString(temp.resolve("report.html"), "<html></html>");

    ArtifactUri uploaded =
        backend().upload(report, ArtifactUri.parse("s3://out/runs/"), ProgressListener.none());

    assertThat(uploaded).hasToString("s3://out/runs/report.html");
    assertThat(
            s3.client()
                .getObjectAsBytes(b -> b.bucket("out").key("runs/report.html"))
                .asUtf8String())
        .isEqualTo("<html></html>");
  }

  @Test
  void aMissingBucketIsNotFoundNamingIt() {
    assertThatThrownBy(() -> fetch(backend(), "s3://no-such-bucket/model/"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("s3://no-such-bucket")
        .hasMessageContaining("NoSuchBucket");
  }

  @Test
  void aMissingKeyIsNotFoundNamingTheUri() {
    s3.client().createBucket(b -> b.bucket("data"));
    put("data", "other.jsonl", "x");

    assertThatThrownBy(() -> fetch(backend(), "s3://data/train.jsonl"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("s3://data/train.jsonl");
  }

  @Test
  void aWrongSecretKeyIsAuthSayingWhichKeyToFix() {
    s3.client().createBucket(b -> b.bucket("data"));
    S3StorageBackend backend =
        s3.backend()
            .cacheDir(temp)
            .credentials(LocalS3.credentials(LocalS3.ACCESS_KEY, "wrong-secret"))
            .build();

    assertThatThrownBy(() -> fetch(backend, "s3://data/x"))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("SignatureDoesNotMatch")
        .hasMessageNotContaining(LocalS3.SECRET_KEY)
        .satisfies(e -> assertThat(((AuthException) e).fix()).contains("secret access key"));
  }

  @Test
  void anUnknownAccessKeyIsAuth() {
    s3.client().createBucket(b -> b.bucket("data"));
    S3StorageBackend backend =
        s3.backend()
            .cacheDir(temp)
            .credentials(LocalS3.credentials("AKIDUNKNOWN", LocalS3.SECRET_KEY))
            .build();

    assertThatThrownBy(() -> backend.list(ArtifactUri.parse("s3://data/x/")))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("InvalidAccessKeyId")
        .hasMessageContaining("s3://data/x/");
  }

  @Test
  void noCredentialsIsAuthSayingHowToConfigureThem() throws Exception {
    Path emptyProfiles = Files.writeString(temp.resolve("credentials"), "");
    S3StorageBackend backend =
        s3.backend()
            .cacheDir(temp)
            .credentials(
                ProfileCredentialsProvider.builder()
                    .profileFile(
                        ProfileFile.builder()
                            .content(emptyProfiles)
                            .type(ProfileFile.Type.CREDENTIALS)
                            .build())
                    .profileName("default")
                    .build())
            .build();

    assertThatThrownBy(() -> fetch(backend, "s3://data/x"))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("No AWS credentials")
        .hasMessageContaining("s3://data/x")
        .satisfies(e -> assertThat(((AuthException) e).fix()).contains("aws configure"));
  }

  private S3StorageBackend cannedBackend(CannedS3 server) {
    return S3StorageBackend.builder()
        .endpoint(server.endpoint())
        .region(Region.US_EAST_1)
        .credentials(LocalS3.credentials(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY))
        .retries(3, Duration.ofMillis(5))
        .cacheDir(temp.resolve("cache"))
        .build();
  }

  @Test
  void throttlingIsRetriedThenQuota() {
    try (CannedS3 server =
        new CannedS3((ex, n) -> CannedS3.error(ex, 503, "SlowDown", "Please reduce your rate"))) {
      assertThatThrownBy(() -> cannedBackend(server).list(ArtifactUri.parse("s3://data/sets/")))
          .isInstanceOf(QuotaException.class)
          .hasMessageContaining("SlowDown")
          .hasMessageContaining("3 attempts")
          .hasMessageContaining("s3://data/sets/");
      assertThat(server.seen()).hasSize(3);
    }
  }

  @Test
  void serverErrorsAreRetriedThenRemoteFailure() {
    try (CannedS3 server =
        new CannedS3((ex, n) -> CannedS3.error(ex, 500, "InternalError", "We are sorry"))) {
      assertThatThrownBy(() -> cannedBackend(server).list(ArtifactUri.parse("s3://data/sets/")))
          .isInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("InternalError")
          .hasMessageContaining("3 attempts");
      assertThat(server.seen()).hasSize(3);
    }
  }

  @Test
  void aRefusedPolicyIsAuthNamingThePermissions() {
    try (CannedS3 server =
        new CannedS3((ex, n) -> CannedS3.error(ex, 403, "AccessDenied", "Access Denied"))) {
      assertThatThrownBy(() -> cannedBackend(server).list(ArtifactUri.parse("s3://data/sets/")))
          .isInstanceOf(AuthException.class)
          .hasMessageContaining("AccessDenied")
          .satisfies(e -> assertThat(((AuthException) e).fix()).contains("s3:ListBucket"));
      assertThat(server.seen()).hasSize(1);
    }
  }

  private static final String LAST_MODIFIED =
      DateTimeFormatter.RFC_1123_DATE_TIME.format(
          ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC));

  /** A server holding one object that sends {@code cut} bytes of it on the first GET only. */
  private static CannedS3.Answer objectCutOnce(byte[] content, int cut, boolean everyTime) {
    String eTag = "\"" + md5(content) + "\"";
    return (ex, n) -> {
      ex.getResponseHeaders().add("ETag", eTag);
      ex.getResponseHeaders().add("Last-Modified", LAST_MODIFIED);
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().add("Content-Length", String.valueOf(content.length));
        ex.sendResponseHeaders(200, -1);
        return;
      }
      String range = ex.getRequestHeaders().getFirst("Range");
      int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
      if (from > 0) {
        ex.getResponseHeaders()
            .add(
                "Content-Range",
                "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
      }
      ex.sendResponseHeaders(from > 0 ? 206 : 200, content.length - from);
      OutputStream out = ex.getResponseBody();
      if (from == 0 || everyTime) {
        out.write(content, from, Math.min(cut, content.length - from));
        out.flush();
        // Closing the exchange now ends the connection before Content-Length bytes.
        return;
      }
      out.write(content, from, content.length - from);
      out.close();
    };
  }

  @Test
  void aBrokenDownloadResumesWhereItStopped() throws Exception {
    byte[] content = new byte[200_000];
    new Random(5).nextBytes(content);
    try (CannedS3 server = new CannedS3(objectCutOnce(content, 70_000, false))) {
      Path fetched =
          cannedBackend(server)
              .fetch(
                  ArtifactUri.parse("s3://data/train.bin"),
                  FetchOptions.builder().destination(temp.resolve("out")).build(),
                  ProgressListener.none());

      assertThat(fetched).hasBinaryContent(content);
      List<CannedS3.Seen> gets =
          server.seen().stream().filter(s -> s.method().equals("GET")).toList();
      assertThat(gets).hasSize(2);
      assertThat(gets.get(1).range()).matches("bytes=\\d+-");
      assertThat(gets.get(1).ifMatch()).isEqualTo("\"" + md5(content) + "\"");
    }
  }

  @Test
  void aDownloadThatKeepsBreakingLeavesNoFileBehind() throws Exception {
    byte[] content = new byte[200_000];
    try (CannedS3 server = new CannedS3(objectCutOnce(content, 10_000, true))) {
      Path out = temp.resolve("out");
      assertThatThrownBy(
              () ->
                  cannedBackend(server)
                      .fetch(
                          ArtifactUri.parse("s3://data/train.bin"),
                          FetchOptions.builder().destination(out).build(),
                          ProgressListener.none()))
          .isInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("s3://data/train.bin");
      try (Stream<Path> left = Files.list(out)) {
        assertThat(left).isEmpty();
      }
    }
  }

  private static String md5(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aFailedMultipartUploadIsAborted() throws Exception {
    Path big = Files.write(temp.resolve("model.safetensors"), new byte[6 << 20]);
    try (CannedS3 server =
        new CannedS3(
            (ex, n) -> {
              String query = String.valueOf(ex.getRequestURI().getQuery());
              switch (ex.getRequestMethod()) {
                case "POST" -> {
                  byte[] body =
                      ("<InitiateMultipartUploadResult><Bucket>out</Bucket><Key>model.safetensors"
                              + "</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>")
                          .getBytes(StandardCharsets.UTF_8);
                  ex.sendResponseHeaders(200, body.length);
                  ex.getResponseBody().write(body);
                }
                case "DELETE" -> ex.sendResponseHeaders(204, -1);
                default ->
                    CannedS3.error(
                        ex, 500, "InternalError", "We encountered an internal error: " + query);
              }
            })) {
      S3StorageBackend backend =
          S3StorageBackend.builder()
              .endpoint(server.endpoint())
              .region(Region.US_EAST_1)
              .credentials(LocalS3.credentials(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY))
              .retries(2, Duration.ofMillis(5))
              .multipart(5 << 20, 5 << 20)
              .cacheDir(temp.resolve("cache"))
              .build();

      assertThatThrownBy(
              () ->
                  backend.upload(
                      big,
                      ArtifactUri.parse("s3://out/model.safetensors"),
                      ProgressListener.none()))
          .isInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("uploading part")
          .hasMessageContaining("s3://out/model.safetensors");
      assertThat(server.seen())
          .filteredOn(s -> s.method().equals("DELETE"))
          .singleElement()
          .satisfies(s -> assertThat(s.query()).contains("uploadId=u1"));
    }
  }

  @Test
  void aPartFileLeftByAKilledFetchIsDeletedByTheNextFetchOfItsTarget() throws Exception {
    s3.client().createBucket(b -> b.bucket("data"));
    put("data", "sets/train.jsonl", "{\"text\":\"one\"}\n");
    Path out = temp.resolve("out");
    Files.createDirectories(out);
    // A process killed mid-download leaves its part file; one still being written may be live.
    Path stale = out.resolve(".train.jsonl.0b7c8f4e-2a61-4d0f-9a5e-3f1c2d4e5a6b.part");
    Path live = out.resolve(".train.jsonl.5d2e1f3a-7b8c-4d9e-8f0a-1b2c3d4e5f60.part");
    Path otherTarget = out.resolve(".eval.jsonl.9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b.part");
    for (Path part : List.of(stale, live, otherTarget)) {
      Files.writeString(part, "{\"te");
    }
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    Files.setLastModifiedTime(stale, hourAgo);
    Files.setLastModifiedTime(otherTarget, hourAgo);

    backend()
        .fetch(
            ArtifactUri.parse("s3://data/sets/"),
            FetchOptions.builder().destination(out).build(),
            ProgressListener.none());

    assertThat(out.resolve("train.jsonl")).hasContent("{\"text\":\"one\"}");
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
    assertThat(otherTarget).exists();
  }
}
