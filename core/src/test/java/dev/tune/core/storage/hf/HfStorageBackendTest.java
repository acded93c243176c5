package dev.tune.core.storage.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.AuthException;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.QuotaException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneException;
import dev.tune.core.error.TuneTimeoutException;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.progress.TransferProgress.Phase;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.StoredFile;
import dev.tune.core.storage.hf.LocalHub.Canned;
import dev.tune.core.storage.hf.LocalHub.HubFile;
import dev.tune.core.storage.http.LoopbackServer.Request;
import dev.tune.core.storage.http.RetryPolicy;
import dev.tune.core.train.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfStorageBackendTest {
  private static final String TOKEN = "hf_sEcReTtOkEnThAtMuStNeVeRlEaK";
  private static final String C1 = "0123456789abcdef0123456789abcdef01234567";
  private static final String C2 = "89abcdef0123456789abcdef0123456789abcdef";
  private static final String D1 = "fedcba9876543210fedcba9876543210fedcba98";
  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20));

  private static final HubFile CONFIG = plain("{\"model_type\":\"llama\",\"hidden_size\":64}");
  private static final HubFile TOKENIZER = plain("{\"version\":\"1.0\",\"model\":{}}");
  private static final HubFile README = plain("# tiny\n");
  private static final HubFile WEIGHTS = lfs(1_500_000, 1);
  private static final HubFile PICKLE = lfs(40_000, 2);
  private static final HubFile TRAIN = plain("{\"prompt\":\"a\",\"completion\":\"b\"}\n");

  @TempDir Path cache;
  private LocalHub hub;

  @BeforeEach
  void startHub() throws Exception {
    hub = new LocalHub(TOKEN);
    hub.model("org/tiny")
        .commit(
            "main",
            C1,
            Map.of(
                "config.json", CONFIG,
                "model.safetensors", WEIGHTS,
                "pytorch_model.bin", PICKLE,
                "tokenizer.json", TOKENIZER,
                "README.md", README));
    hub.dataset("org/chats")
        .commit(
            "v1",
            D1,
            Map.of(
                "README.md", README,
                "data/train.jsonl", TRAIN,
                "data/eval.jsonl", lfs(3_000, 3)));
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  private HfStorageBackend backend() {
    return backend(Optional.empty(), FAST);
  }

  private HfStorageBackend backend(Optional<Secret> token, RetryPolicy retry) {
    return HfStorageBackend.builder()
        .endpoint(hub.endpoint())
        .cacheDir(cache)
        .token(token)
        .retryPolicy(retry)
        .build();
  }

  private static Path fetch(HfStorageBackend backend, String uri) {
    return backend.fetch(ArtifactUri.parse(uri), FetchOptions.defaults(), ProgressListener.none());
  }

  private Path repoCache() {
    return cache.resolve("models--org--tiny");
  }

  @Test
  void fetchBringsTheRepositoryIntoAContentAddressedSnapshot() throws Exception {
    List<ProgressEvent> events = new ArrayList<>();

    Path snapshot =
        backend()
            .fetch(ArtifactUri.parse("hf://org/tiny@main"), FetchOptions.defaults(), events::add);

    assertThat(snapshot).isEqualTo(repoCache().resolve("snapshots").resolve(C1));
    assertThat(filesBelow(snapshot))
        .containsExactly("README.md", "config.json", "model.safetensors", "tokenizer.json");
    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors")))
        .isEqualTo(WEIGHTS.content());
    assertThat(Files.readAllBytes(snapshot.resolve("config.json"))).isEqualTo(CONFIG.content());
    // Snapshots link to blobs named by the Hub's ids: sha256 for LFS, the git blob id else.
    assertThat(Files.isSymbolicLink(snapshot.resolve("model.safetensors"))).isTrue();
    assertThat(snapshot.resolve("model.safetensors").toRealPath())
        .isEqualTo(repoCache().resolve("blobs").resolve(WEIGHTS.sha256()).toRealPath());
    assertThat(snapshot.resolve("config.json").toRealPath())
        .isEqualTo(repoCache().resolve("blobs").resolve(CONFIG.gitBlobId()).toRealPath());
    assertThat(Files.readString(repoCache().resolve("refs/main"))).isEqualTo(C1);
    assertThat(filesBelow(repoCache().resolve("blobs"))).noneMatch(n -> n.endsWith(".incomplete"));

    List<TransferProgress> weights =
        events.stream()
            .map(TransferProgress.class::cast)
            .filter(e -> e.file().toString().equals("hf://org/tiny@main/model.safetensors"))
            .toList();
    assertThat(weights).map(TransferProgress::phase).startsWith(Phase.STARTED).endsWith(Phase.DONE);
    assertThat(weights).map(TransferProgress::phase).contains(Phase.PROGRESS);
    assertThat(weights)
        .allSatisfy(e -> assertThat(e.bytesTotal()).hasValue(WEIGHTS.content().length));
    assertThat(weights.get(weights.size() - 1).bytesDone()).isEqualTo(WEIGHTS.content().length);
  }

  @Test
  void aSecondFetchIsServedFromTheCacheWithoutDownloads() {
    fetch(backend(), "hf://org/tiny@main");
    hub.clearRequests();
    List<ProgressEvent> events = new ArrayList<>();

    Path again =
        backend()
            .fetch(ArtifactUri.parse("hf://org/tiny@main"), FetchOptions.defaults(), events::add);

    assertThat(hub.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.path()).isEqualTo("/api/models/org/tiny/revision/main"));
    assertThat(events).hasSize(4).allMatch(e -> ((TransferProgress) e).phase() == Phase.CACHED);
    assertThat(again).isEqualTo(repoCache().resolve("snapshots").resolve(C1));
  }

  @Test
  void aNewCommitDownloadsOnlyTheFilesThatChanged() throws Exception {
    fetch(backend(), "hf://org/tiny@main");
    HubFile newConfig = plain("{\"model_type\":\"llama\",\"hidden_size\":128}");
    hub.model("org/tiny")
        .commit(
            "main",
            C2,
            Map.of(
                "config.json",
                newConfig,
                "model.safetensors",
                WEIGHTS,
                "tokenizer.json",
                TOKENIZER));
    hub.clearRequests();

    Path snapshot = fetch(backend(), "hf://org/tiny@main");

    assertThat(snapshot).endsWith(Path.of("snapshots", C2));
    assertThat(Files.readAllBytes(snapshot.resolve("config.json"))).isEqualTo(newConfig.content());
    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors")))
        .isEqualTo(WEIGHTS.content());
    assertThat(hub.requests()).noneMatch(r -> r.path().startsWith("/cdn/"));
    assertThat(hub.requests())
        .filteredOn(r -> r.method().equals("GET") && r.path().contains("/resolve/"))
        .singleElement()
        .satisfies(r -> assertThat(r.path()).isEqualTo("/org/tiny/resolve/" + C2 + "/config.json"));
    assertThat(Files.readString(repoCache().resolve("refs/main"))).isEqualTo(C2);
  }

  @Test
  void allowPatternsAndTheSafetensorsPreferenceChooseTheFiles() throws Exception {
    Path snapshot =
        backend()
            .fetch(
                ArtifactUri.parse("hf://org/tiny@main"),
                FetchOptions.builder()
                    .allow("*.safetensors", "*.json", "tokenizer*", "*.bin")
                    .build(),
                ProgressListener.none());

    assertThat(filesBelow(snapshot))
        .containsExactly("config.json", "model.safetensors", "tokenizer.json");
    assertThat(hub.requests())
        .noneMatch(r -> r.path().endsWith("README.md") || r.path().endsWith(".bin"));
  }

  @Test
  void withoutSafetensorsPreferenceThePickleIsFetchedToo() throws Exception {
    Path snapshot =
        backend()
            .fetch(
                ArtifactUri.parse("hf://org/tiny@main"),
                FetchOptions.builder().allow("*.bin").preferSafetensors(false).build(),
                ProgressListener.none());

    assertThat(filesBelow(snapshot)).containsExactly("pytorch_model.bin");
  }

  @Test
  void datasetFilesAndFoldersGoIntoADestination(@TempDir Path out) throws Exception {
    Path file =
        backend()
            .fetch(
                ArtifactUri.parse("hf://datasets/org/chats@v1/data/train.jsonl"),
                FetchOptions.builder().destination(out.resolve("one")).build(),
                ProgressListener.none());
    Path folder =
        backend()
            .fetch(
                ArtifactUri.parse("hf://datasets/org/chats@v1/data"),
                FetchOptions.builder().destination(out.resolve("all")).build(),
                ProgressListener.none());

    assertThat(file).isEqualTo(out.resolve("one/train.jsonl"));
    assertThat(file).hasBinaryContent(TRAIN.content());
    assertThat(folder).isEqualTo(out.resolve("all"));
    assertThat(filesBelow(folder)).containsExactly("eval.jsonl", "train.jsonl");
    assertThat(Files.isSymbolicLink(folder.resolve("eval.jsonl"))).isFalse();
    assertThat(hub.requests())
        .map(Request::path)
        .contains(
            "/api/datasets/org/chats/revision/v1",
            "/datasets/org/chats/resolve/" + D1 + "/data/train.jsonl")
        .noneMatch(p -> p.endsWith("README.md"));
    assertThat(cache.resolve("datasets--org--chats/refs/v1")).hasContent(D1);
  }

  @Test
  void aStalledDownloadResumesWithRangeInTheSameFetch() throws Exception {
    hub.stallNextDownload(WEIGHTS.sha256(), 500_000);
    HfStorageBackend impatient = impatient(FAST);

    Path snapshot = fetch(impatient, "hf://org/tiny@main");

    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors")))
        .isEqualTo(WEIGHTS.content());
    List<Request> cdn = cdnGets(WEIGHTS);
    assertThat(cdn).hasSize(2);
    assertThat(cdn.get(0).header("Range")).isEmpty();
    assertThat(cdn.get(1).header("Range")).contains("bytes=500000-");
  }

  @Test
  void aBrokenConnectionIsRetried() throws Exception {
    hub.cutNextDownload(WEIGHTS.sha256(), 500_000);

    Path snapshot = fetch(backend(), "hf://org/tiny@main");

    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors")))
        .isEqualTo(WEIGHTS.content());
    assertThat(cdnGets(WEIGHTS)).hasSize(2);
  }

  @Test
  void anInterruptedDownloadIsResumedByTheNextFetch() throws Exception {
    hub.stallNextDownload(WEIGHTS.sha256(), 700_000);
    assertThatThrownBy(() -> fetch(impatient(RetryPolicy.none()), "hf://org/tiny@main"))
        .isInstanceOf(TuneTimeoutException.class)
        .hasMessageContaining("downloading model.safetensors of hf://org/tiny@main")
        .hasMessageContaining("no data for 1000 ms after 700000 bytes")
        .hasMessageContaining("after 1 attempt");
    Path incomplete = repoCache().resolve("blobs").resolve(WEIGHTS.sha256() + ".incomplete");
    assertThat(incomplete).hasSize(700_000);
    hub.clearRequests();

    Path snapshot = fetch(backend(), "hf://org/tiny@main");

    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors")))
        .isEqualTo(WEIGHTS.content());
    assertThat(cdnGets(WEIGHTS))
        .singleElement()
        .satisfies(r -> assertThat(r.header("Range")).contains("bytes=700000-"));
    assertThat(incomplete).doesNotExist();
  }

  private HfStorageBackend impatient(RetryPolicy retry) {
    return HfStorageBackend.builder()
        .endpoint(hub.endpoint())
        .cacheDir(cache)
        .retryPolicy(retry)
        .requestTimeout(Duration.ofSeconds(1))
        .build();
  }

  @Test
  void aDamagedDownloadFailsTheShaCheckAndLeavesNoBlob() {
    byte[] damaged = WEIGHTS.content().clone();
    damaged[123_456] ^= 1;
    hub.corrupt(WEIGHTS.sha256(), damaged);

    assertThatThrownBy(() -> fetch(backend(), "hf://org/tiny@main"))
        .isInstanceOfSatisfying(
            RemoteFailureException.class,
            e -> {
              assertThat(e.getMessage())
                  .contains("model.safetensors of hf://org/tiny@main arrived damaged")
                  .contains("its sha256 is " + LocalHub.hex("SHA-256", damaged, new byte[0]))
                  .contains("the Hub says " + WEIGHTS.sha256());
              assertThat(e.fix()).contains("Fetch again");
            });
    Path blobs = repoCache().resolve("blobs");
    assertThat(blobs.resolve(WEIGHTS.sha256())).doesNotExist();
    assertThat(blobs.resolve(WEIGHTS.sha256() + ".incomplete")).doesNotExist();
    assertThat(repoCache().resolve("snapshots").resolve(C1).resolve("model.safetensors"))
        .doesNotExist();
  }

  @Test
  void theTokenGoesToTheHubOnlyNeverToTheCdn() {
    hub.model("org/tiny").privateRepo = true;
    HfStorageBackend backend = backend(Optional.of(new Secret(TOKEN)), FAST);

    fetch(backend, "hf://org/tiny@main");

    List<Request> requests = hub.requests();
    assertThat(requests)
        .filteredOn(r -> r.hostName().equals("localhost"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.header("Authorization")).isEmpty());
    assertThat(requests)
        .filteredOn(r -> r.hostName().equals("127.0.0.1"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.header("Authorization")).contains("Bearer " + TOKEN));
    assertThat(backend.toString()).doesNotContain(TOKEN).contains("token=set");
  }

  @Test
  void aFetchsOwnTokenWinsOverTheBackends() {
    hub.model("org/tiny").gated = true;
    HfStorageBackend backend = backend(Optional.of(new Secret("hf_wrong")), FAST);

    Path snapshot =
        backend.fetch(
            ArtifactUri.parse("hf://org/tiny@main/config.json"),
            FetchOptions.builder().token(Optional.of(new Secret(TOKEN))).build(),
            ProgressListener.none());

    assertThat(snapshot).hasBinaryContent(CONFIG.content());
  }

  @Test
  void filesDownloadInParallelUpToTheLimit() throws Exception {
    Map<String, HubFile> shards = new TreeMap<>();
    for (int i = 1; i <= 4; i++) {
      shards.put("model-0000" + i + "-of-00004.safetensors", lfs(50_000, 10 + i));
    }
    hub.model("org/sharded").commit("main", C2, shards);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch threeArrived = new CountDownLatch(3);
    hub.beforeCdn(
        r -> {
          most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          threeArrived.countDown();
          try {
            // The first three wait for each other: only parallel downloads get past quickly.
            threeArrived.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inFlight.decrementAndGet();
        });

    long start = System.nanoTime();
    Path snapshot =
        backend()
            .fetch(
                ArtifactUri.parse("hf://org/sharded@main"),
                FetchOptions.builder().parallelism(3).build(),
                ProgressListener.none());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(most.get()).isEqualTo(3);
    assertThat(filesBelow(snapshot)).hasSize(4);
  }

  @Test
  void aMissingRepositoryWithoutTokenIsNotFoundAndSuggestsHfToken() {
    assertFailure(
        () -> fetch(backend(), "hf://org/nope@main"),
        NotFoundException.class,
        "There is no model repository hf://org/nope on the Hub, or it is private or gated and no"
            + " token was sent (HTTP 401)",
        "set HF_TOKEN");
  }

  @Test
  void aMissingRepositoryWithTokenIsNotFound() {
    assertFailure(
        () -> fetch(backend(Optional.of(new Secret(TOKEN)), FAST), "hf://datasets/org/nope@main"),
        NotFoundException.class,
        "There is no dataset repository hf://datasets/org/nope on the Hub that the token (from the"
            + " backend settings) can read (HTTP 404)",
        "private repository");
  }

  @Test
  void aGatedRepositoryWithoutTokenNamesTheLicencePage() {
    hub.model("org/tiny").gated = true;

    assertFailure(
        () -> fetch(backend(), "hf://org/tiny@main"),
        AuthException.class,
        "hf://org/tiny is gated",
        "Accept the licence at " + hub.endpoint() + "/org/tiny");
  }

  @Test
  void aGatedRepositoryWhoseLicenceTheTokensAccountHasNotAcceptedIsAnAuthFailure() {
    hub.cannedAnswers(
        "/org/tiny/resolve/",
        new Canned(
            403,
            Map.of(
                "X-Error-Code", "GatedRepo",
                "X-Error-Message", "Access to model org/tiny is restricted"),
            ""));

    assertFailure(
        () ->
            fetch(backend(Optional.of(new Secret(TOKEN)), FAST), "hf://org/tiny@main/config.json"),
        AuthException.class,
        "hf://org/tiny is gated and the account of the token (from the backend settings) has no"
            + " access to it (yet)",
        "Accept the licence at " + hub.endpoint() + "/org/tiny with that account");
  }

  @Test
  void aGatedRepositoryIsReadWithAToken() throws Exception {
    hub.model("org/tiny").gated = true;

    Path snapshot = fetch(backend(Optional.of(new Secret(TOKEN)), FAST), "hf://org/tiny@main");

    assertThat(filesBelow(snapshot)).contains("model.safetensors");
  }

  @Test
  void aBadRevisionIsNotFound() {
    assertFailure(
        () -> fetch(backend(), "hf://org/tiny@v9"),
        NotFoundException.class,
        "hf://org/tiny has no revision 'v9' (HTTP 404: Invalid rev id: v9)",
        hub.endpoint() + "/org/tiny");
  }

  @Test
  void aPathThatIsNotInTheRepositoryIsNotFound() {
    assertFailure(
        () -> fetch(backend(), "hf://org/tiny@main/weights/nope.safetensors"),
        NotFoundException.class,
        "hf://org/tiny@main has no file or folder 'weights/nope.safetensors' (commit " + C1 + ")",
        "Check the path");
  }

  @Test
  void anEntryTheHubCannotFindIsNotFound() {
    hub.cannedAnswers(
        "/org/tiny/resolve/",
        new Canned(
            404,
            Map.of("X-Error-Code", "EntryNotFound", "X-Error-Message", "Entry not found"),
            ""));

    assertFailure(
        () -> fetch(backend(), "hf://org/tiny@main/config.json"),
        NotFoundException.class,
        "hf://org/tiny@main has no file 'config.json' (HTTP 404: Entry not found)",
        hub.endpoint() + "/org/tiny/tree/main");
  }

  @Test
  void anInvalidTokenIsAnAuthFailureThatDoesNotShowIt() {
    assertFailure(
        () -> fetch(backend(Optional.of(new Secret(TOKEN + "x")), FAST), "hf://org/tiny@main"),
        AuthException.class,
        "The Hub rejected the token (from the backend settings) while listing the files of"
            + " hf://org/tiny@main (HTTP 401: Invalid credentials in Authorization header)",
        hub.endpoint() + "/settings/tokens");
  }

  @Test
  void forbiddenIsAnAuthFailure() {
    hub.cannedAnswers("/api/", new Canned(403, Map.of(), "{\"error\":\"token lacks read scope\"}"));

    assertFailure(
        () -> fetch(backend(Optional.of(new Secret(TOKEN)), FAST), "hf://org/tiny@main"),
        AuthException.class,
        "The Hub refused access to hf://org/tiny while listing the files of hf://org/tiny@main"
            + " (HTTP 403: token lacks read scope)",
        "a fine-grained token must list this repository");
  }

  @Test
  void persistentRateLimitingIsAQuotaFailure() {
    Canned tooMany = new Canned(429, Map.of("Retry-After", "1"), "");
    hub.cannedAnswers("/api/", tooMany, tooMany, tooMany);

    assertFailure(
        () -> fetch(backend(), "hf://org/tiny@main"),
        QuotaException.class,
        "The Hub rate-limited listing the files of hf://org/tiny@main (HTTP 429) and still did"
            + " after 3 attempts; it asks to wait 1 s",
        "set HF_TOKEN");
    assertThat(hub.requests()).hasSize(3);
  }

  @Test
  void persistentServerErrorsAreARemoteFailure() {
    Canned badGateway = new Canned(502, Map.of(), "upstream down");
    hub.cannedAnswers("/cdn/", badGateway, badGateway, badGateway, badGateway);

    assertFailure(
        () -> fetch(backend(), "hf://org/tiny@main/model.safetensors"),
        RemoteFailureException.class,
        "The Hub failed downloading model.safetensors of hf://org/tiny@main with HTTP 502:"
            + " upstream down, 3 attempts",
        "status.huggingface.co");
  }

  @Test
  void passingServerErrorsAreRetried() throws Exception {
    hub.cannedAnswers("/api/", new Canned(503, Map.of(), ""), new Canned(500, Map.of(), ""));
    hub.cannedAnswers("/cdn/", new Canned(503, Map.of(), ""));

    Path weights = fetch(backend(), "hf://org/tiny@main/model.safetensors");

    assertThat(Files.readAllBytes(weights)).isEqualTo(WEIGHTS.content());
  }

  @Test
  void retryAfterIsHonoured() {
    hub.cannedAnswers("/api/", new Canned(429, Map.of("Retry-After", "1"), ""));
    HfStorageBackend patient =
        backend(Optional.empty(), new RetryPolicy(2, Duration.ofMillis(1), Duration.ofSeconds(5)));

    long start = System.nanoTime();
    fetch(patient, "hf://org/tiny@main/config.json");

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }

  @Test
  void offlineServesTheCacheWithoutAskingTheHub() throws Exception {
    fetch(backend(), "hf://org/tiny@main");
    hub.clearRequests();
    HfStorageBackend offline =
        HfStorageBackend.builder()
            .environment(
                Map.of(
                    "HF_ENDPOINT", hub.endpoint(),
                    "HF_HUB_CACHE", cache.toString(),
                    "HF_HUB_OFFLINE", "1"))
            .build();

    Path config = fetch(offline, "hf://org/tiny@main/config.json");

    assertThat(config).hasBinaryContent(CONFIG.content());
    assertThat(hub.requests()).isEmpty();
    assertFailure(
        () -> fetch(offline, "hf://org/other@main"),
        NotFoundException.class,
        "hf://org/other@main is not in the cache",
        "unset HF_HUB_OFFLINE");
  }

  @Test
  void listGivesPathsAndSizes() {
    assertThat(backend().list(ArtifactUri.parse("hf://datasets/org/chats@v1/data")))
        .containsExactly(
            StoredFile.of("eval.jsonl", 3_000),
            StoredFile.of("train.jsonl", TRAIN.content().length));
    assertThat(backend().list(ArtifactUri.parse("hf://org/tiny@main")))
        .extracting(StoredFile::path)
        .containsExactly(
            "README.md", "config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json");
  }

  @Test
  void settingsComeFromTheEnvironment() {
    HfStorageBackend fromEnv =
        HfStorageBackend.builder()
            .environment(
                Map.of(
                    "HF_ENDPOINT",
                    hub.endpoint() + "/",
                    "HF_TOKEN",
                    TOKEN,
                    "HF_HUB_CACHE",
                    cache.toString()))
            .build();
    hub.model("org/tiny").privateRepo = true;

    Path config = fetch(fromEnv, "hf://org/tiny@main/config.json");

    assertThat(config).startsWith(cache).hasBinaryContent(CONFIG.content());
    assertThat(fromEnv.endpoint()).isEqualTo(hub.endpoint());
    assertThat(fromEnv.toString()).contains("token=set (HF_TOKEN)").doesNotContain(TOKEN);
  }

  @Test
  void aBadEndpointFailsTheFirstFetchNotTheConstruction() {
    HfStorageBackend misconfigured =
        HfStorageBackend.builder()
            .environment(Map.of("HF_ENDPOINT", "huggingface.co", "HF_HUB_CACHE", cache.toString()))
            .build();

    assertThat(misconfigured.schemes()).containsExactly("hf");
    assertFailure(
        () -> fetch(misconfigured, "hf://org/tiny@main"),
        BadInputException.class,
        "The Hub endpoint 'huggingface.co' is not an http(s) URL with a host",
        "HF_ENDPOINT");
  }

  private static void assertFailure(
      ThrowingCallable call, Class<? extends TuneException> type, String message, String fix) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            type,
            e -> {
              assertThat(e.getMessage()).contains(message).doesNotContain(TOKEN);
              assertThat(e.fix()).contains(fix).doesNotContain(TOKEN);
            });
  }

  private List<Request> cdnGets(HubFile file) {
    return hub.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().equals("/cdn/" + file.sha256()))
        .toList();
  }

  private static List<String> filesBelow(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  private static HubFile plain(String text) {
    return new HubFile(text.getBytes(StandardCharsets.UTF_8), false);
  }

  private static HubFile lfs(int size, long seed) {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    return new HubFile(content, true);
  }
}
