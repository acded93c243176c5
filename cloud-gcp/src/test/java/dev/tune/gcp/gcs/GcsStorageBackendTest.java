package dev.tune.gcp.gcs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.cloud.NoCredentials;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class GcsStorageBackendTest {
  @RegisterExtension static final WireMockExtension WIRE = FakeGcs.server();

  private final FakeGcs gcs = new FakeGcs(WIRE);

  @TempDir Path temp;

  private GcsStorageBackend backend() {
    return GcsStorageBackend.builder()
        .host(gcs.host())
        .credentials(NoCredentials.getInstance())
        .cacheDir(temp.resolve("cache"))
        .vertexMount(temp.resolve("gcs"))
        .retries(3, Duration.ofMillis(5))
        .build();
  }

  private static Path fetch(GcsStorageBackend backend, String uri) {
    return backend.fetch(ArtifactUri.parse(uri), FetchOptions.defaults(), ProgressListener.none());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Phase> phases(List<ProgressEvent> events) {
    return events.stream().map(e -> ((TransferProgress) e).phase()).toList();
  }

  private static List<LoggedRequest> media() {
    return WIRE.findAll(getRequestedFor(anyUrl())).stream()
        .filter(
            r ->
                r.queryParameter("alt").isPresent()
                    && "media".equals(r.queryParameter("alt").firstValue()))
        .toList();
  }

  @Test
  void fetchesAnObjectIntoTheCacheAndASecondFetchMovesNothing() throws Exception {
    byte[] weights = new byte[1_500_000];
    new Random(7).nextBytes(weights);
    gcs.object("models", "tiny/model.safetensors", weights);
    GcsStorageBackend backend = backend();
    List<ProgressEvent> first = new ArrayList<>();

    Path fetched =
        backend.fetch(
            ArtifactUri.parse("gs://models/tiny/model.safetensors"),
            FetchOptions.defaults(),
            first::add);

    assertThat(fetched)
        .isEqualTo(temp.resolve("cache/models/tiny/model.safetensors"))
        .hasBinaryContent(weights);
    assertThat(phases(first))
        .startsWith(Phase.STARTED)
        .contains(Phase.PROGRESS)
        .endsWith(Phase.DONE);
    assertThat(media()).hasSize(1);

    List<ProgressEvent> second = new ArrayList<>();
    backend.fetch(
        ArtifactUri.parse("gs://models/tiny/model.safetensors"),
        FetchOptions.defaults(),
        second::add);
    assertThat(phases(second)).containsExactly(Phase.CACHED);
    assertThat(media()).hasSize(1);
  }

  @Test
  void fetchesAPrefixWithPatternsIntoADestination() throws Exception {
    gcs.listing(
        "models",
        "merged/",
        List.of(
            "merged/",
            "merged/config.json",
            "merged/model.safetensors",
            "merged/pytorch_model.bin",
            "merged/tokenizer/tokenizer.json"),
        List.of(bytes(""), bytes("{}"), bytes("weights"), bytes("pickle"), bytes("{\"v\":1}")));
    gcs.object("models", "merged/config.json", bytes("{}"));
    gcs.object("models", "merged/model.safetensors", bytes("weights"));
    gcs.object("models", "merged/tokenizer/tokenizer.json", bytes("{\"v\":1}"));
    Path destination = temp.resolve("out");

    Path fetched =
        backend()
            .fetch(
                ArtifactUri.parse("gs://models/merged/"),
                FetchOptions.builder().destination(destination).parallelism(3).build(),
                ProgressListener.none());

    assertThat(fetched).isEqualTo(destination);
    try (Stream<Path> walk = Files.walk(destination)) {
      assertThat(walk.filter(Files::isRegularFile).map(p -> destination.relativize(p).toString()))
          .containsExactlyInAnyOrder(
              "config.json", "model.safetensors", "tokenizer/tokenizer.json");
    }
    assertThat(destination.resolve("tokenizer/tokenizer.json")).hasContent("{\"v\":1}");
  }

  @Test
  void listsTheFilesBelowAPrefixWithTheirSizes() {
    gcs.listing(
        "data",
        "sets/a/",
        List.of("sets/a/eval/eval.jsonl", "sets/a/train.jsonl"),
        List.of(bytes("123"), bytes("12345")));

    assertThat(backend().list(ArtifactUri.parse("gs://data/sets/a")))
        .containsExactly(StoredFile.of("eval/eval.jsonl", 3), StoredFile.of("train.jsonl", 5));
  }

  @Test
  void aDamagedDownloadIsRefusedAndLeavesNoFile() throws Exception {
    gcs.object("data", "train.jsonl", bytes("{\"text\":\"right\"}"));
    WIRE.stubFor(
        WireMock.get(FakeGcs.mediaPath("data", "train.jsonl"))
            .withQueryParam("alt", WireMock.equalTo("media"))
            .willReturn(aResponse().withBody(bytes("{\"text\":\"wrong\"}"))));
    Path out = temp.resolve("out");

    assertThatThrownBy(
            () ->
                backend()
                    .fetch(
                        ArtifactUri.parse("gs://data/train.jsonl"),
                        FetchOptions.builder().destination(out).build(),
                        ProgressListener.none()))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("gs://data/train.jsonl arrived damaged")
        .hasMessageContaining("MD5");
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void uploadsADirectoryThroughResumableUploads() throws Exception {
    gcs.acceptsUpload("out", "runs/1/model/config.json", bytes("{\"model_type\":\"llama\"}"));
    gcs.acceptsUpload("out", "runs/1/model/sub/a.txt", bytes("abc"));
    Path model = Files.createDirectories(temp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
    Files.writeString(Files.createDirectories(model.resolve("sub")).resolve("a.txt"), "abc");
    List<ProgressEvent> events = new ArrayList<>();

    ArtifactUri uploaded =
        backend().upload(model, ArtifactUri.parse("gs://out/runs/1/model"), events::add);

    assertThat(uploaded).hasToString("gs://out/runs/1/model");
    List<LoggedRequest> starts =
        WIRE.findAll(WireMock.postRequestedFor(urlPathMatching("/upload/storage/v1/b/out/o/?")));
    assertThat(starts)
        .extracting(r -> r.getBodyAsString())
        .anySatisfy(body -> assertThat(body).contains("\"name\":\"runs/1/model/config.json\""))
        .anySatisfy(body -> assertThat(body).contains("\"name\":\"runs/1/model/sub/a.txt\""));
    assertThat(WIRE.findAll(putRequestedFor(urlPathMatching("/upload/storage/v1/b/out/o/?"))))
        .extracting(LoggedRequest::getBodyAsString)
        .containsExactlyInAnyOrder("{\"model_type\":\"llama\"}", "abc");
    assertThat(events)
        .filteredOn(e -> ((TransferProgress) e).phase() == Phase.DONE)
        .extracting(e -> ((TransferProgress) e).file().toString())
        .containsExactlyInAnyOrder(
            "gs://out/runs/1/model/config.json", "gs://out/runs/1/model/sub/a.txt");
  }

  @Test
  void aMountedObjectOnVertexIsReadInPlace() throws Exception {
    Path mounted =
        Files.writeString(
            Files.createDirectories(temp.resolve("gcs/data/sets")).resolve("train.jsonl"), "{}");

    assertThat(fetch(backend(), "gs://data/sets/train.jsonl")).isEqualTo(mounted);
    assertThat(fetch(backend(), "gs://data/sets/")).isEqualTo(mounted.getParent());
    assertThat(WIRE.getAllServeEvents()).isEmpty();
    assertThat(GcsStorageBackend.uriOfVertexMountPath(Path.of("/gcs/data/sets/train.jsonl")))
        .hasValueSatisfying(uri -> assertThat(uri).hasToString("gs://data/sets/train.jsonl"));
    assertThat(GcsStorageBackend.uriOfVertexMountPath(Path.of("/data/sets/train.jsonl"))).isEmpty();
  }

  private static void answerEverything(int status, String reason, String message) {
    WIRE.stubFor(
        WireMock.any(anyUrl())
            .willReturn(FakeGcs.json(FakeGcs.error(status, reason, message)).withStatus(status)));
  }

  @Test
  void aMissingBucketOrObjectIsNotFoundNamingTheUri() {
    answerEverything(404, "notFound", "The specified bucket does not exist.");

    assertThatThrownBy(() -> fetch(backend(), "gs://no-such-bucket/model/"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("gs://no-such-bucket/model/")
        .hasMessageContaining("404");
  }

  @Test
  void aMissingObjectInAnExistingBucketIsNotFound() {
    gcs.listing("data", "train.jsonl/", List.of(), List.of());
    WIRE.stubFor(
        WireMock.get(FakeGcs.objectPath("data", "train.jsonl"))
            .willReturn(
                FakeGcs.json(FakeGcs.error(404, "notFound", "No such object: data/train.jsonl"))
                    .withStatus(404)));

    assertThatThrownBy(() -> fetch(backend(), "gs://data/train.jsonl"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Nothing at gs://data/train.jsonl");
  }

  @Test
  void missingCredentialsAreAuthWithTheGcloudCommand() {
    answerEverything(401, "required", "Anonymous caller does not have storage.objects.list access");

    assertThatThrownBy(() -> fetch(backend(), "gs://data/sets/"))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("gs://data/sets/")
        .satisfies(
            e ->
                assertThat(((AuthException) e).fix())
                    .contains("gcloud auth application-default login")
                    .contains("GOOGLE_APPLICATION_CREDENTIALS"));
  }

  @Test
  void aRefusedAccountIsAuthNamingTheRole() {
    answerEverything(
        403, "forbidden", "tuner@p.iam.gserviceaccount.com does not have storage.objects.list");

    assertThatThrownBy(() -> backend().list(ArtifactUri.parse("gs://data/sets/")))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("403")
        .satisfies(e -> assertThat(((AuthException) e).fix()).contains("Storage Object Viewer"));
  }

  @Test
  void rateLimitsAreRetriedThenQuota() {
    answerEverything(429, "rateLimitExceeded", "The rate of change requests is too high");

    assertThatThrownBy(() -> backend().list(ArtifactUri.parse("gs://data/sets/")))
        .isInstanceOf(QuotaException.class)
        .hasMessageContaining("3 attempts")
        .hasMessageContaining("gs://data/sets/");
    assertThat(WIRE.getAllServeEvents()).hasSize(3);
  }

  @Test
  void serverErrorsAreRetriedThenRemoteFailure() {
    answerEverything(503, "backendError", "Backend Error");

    assertThatThrownBy(() -> backend().list(ArtifactUri.parse("gs://data/sets/")))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("503")
        .hasMessageContaining("3 attempts");
    assertThat(WIRE.getAllServeEvents()).hasSize(3);
  }

  @Test
  void aConnectionResetDuringADownloadIsRetried() throws Exception {
    byte[] content = new byte[300_000];
    new Random(9).nextBytes(content);
    gcs.object("data", "train.bin", content);
    WIRE.stubFor(
        WireMock.get(FakeGcs.mediaPath("data", "train.bin"))
            .withQueryParam("alt", WireMock.equalTo("media"))
            .inScenario("flaky")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))
            .willSetStateTo("recovered"));

    Path fetched =
        backend()
            .fetch(
                ArtifactUri.parse("gs://data/train.bin"),
                FetchOptions.builder().destination(temp.resolve("out")).build(),
                ProgressListener.none());

    assertThat(fetched).hasBinaryContent(content);
    assertThat(media()).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aPartFileLeftByAKilledFetchIsDeletedByTheNextFetchOfItsTarget() throws Exception {
    gcs.object("data", "sets/train.jsonl", bytes("{\"text\":\"one\"}\n"));
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
            ArtifactUri.parse("gs://data/sets/train.jsonl"),
            FetchOptions.builder().destination(out).build(),
            ProgressListener.none());

    assertThat(out.resolve("train.jsonl")).hasContent("{\"text\":\"one\"}");
    assertThat(stale).doesNotExist();
    assertThat(live).exists();
    assertThat(otherTarget).exists();
  }
}
