package dev.tune.core.storage.https;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.progress.TransferProgress.Phase;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.StoredFile;
import dev.tune.core.storage.http.LoopbackServer;
import dev.tune.core.storage.http.RetryPolicy;
import dev.tune.core.storage.http.ServedContent;
import dev.tune.core.storage.http.ServedContent.Break;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpsStorageBackendTest {
  private static final byte[] DATA =
      "{\"prompt\":\"hi\",\"completion\":\"hello\"}\n".repeat(200).getBytes(StandardCharsets.UTF_8);

  @TempDir static Path certDir;
  private static LoopbackServer server;
  private static HttpClient client;
  private static final AtomicReference<byte[]> content = new AtomicReference<>();
  private static final AtomicReference<String> etag = new AtomicReference<>();
  private static final AtomicInteger cutNext = new AtomicInteger(-1);
  private static final AtomicInteger failNext = new AtomicInteger();
  private static final AtomicInteger stallNext = new AtomicInteger(-1);

  @TempDir Path cache;
  private HttpsStorageBackend backend;

  @BeforeAll
  static void startServer() throws Exception {
    server =
        LoopbackServer.https(
            certDir,
            (request, exchange) -> {
              switch (request.path()) {
                case "/data/train.jsonl" -> {
                  if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    LoopbackServer.reply(exchange, 503, new byte[0]);
                    return;
                  }
                  int cut = cutNext.getAndSet(-1);
                  int stall = stallNext.getAndSet(-1);
                  ServedContent.serve(
                      request,
                      exchange,
                      content.get(),
                      Optional.ofNullable(etag.get()),
                      cut >= 0 ? cut : stall,
                      cut >= 0 ? Break.CUT : Break.STALL);
                }
                case "/moved" -> {
                  exchange.getResponseHeaders().set("Location", "/data/train.jsonl");
                  LoopbackServer.reply(exchange, 302, new byte[0]);
                }
                default ->
                    LoopbackServer.reply(
                        exchange, 404, "no such file".getBytes(StandardCharsets.UTF_8));
              }
            });
    client = server.client();
  }

  @AfterAll
  static void stopServer() {
    client.close();
    server.close();
  }

  @BeforeEach
  void reset() {
    content.set(DATA);
    etag.set("\"v1\"");
    cutNext.set(-1);
    failNext.set(0);
    stallNext.set(-1);
    server.clearRequests();
    backend =
        HttpsStorageBackend.builder()
            .cacheDir(cache)
            .httpClient(client)
            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)))
            .build();
  }

  private ArtifactUri url(String path) {
    return ArtifactUri.parse(server.uri(path).toString());
  }

  @Test
  void fetchDownloadsOverTlsIntoTheCache() throws Exception {
    List<ProgressEvent> events = new ArrayList<>();

    Path fetched = backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), events::add);

    assertThat(fetched).startsWith(cache).hasFileName("train.jsonl");
    assertThat(Files.readAllBytes(fetched)).isEqualTo(DATA);
    assertThat(events)
        .map(e -> ((TransferProgress) e).phase())
        .startsWith(Phase.STARTED)
        .endsWith(Phase.DONE);
    TransferProgress done = (TransferProgress) events.get(events.size() - 1);
    assertThat(done.bytesDone()).isEqualTo(DATA.length);
  }

  @Test
  void secondFetchRevalidatesAndMovesNothing() throws Exception {
    backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none());
    server.clearRequests();
    List<ProgressEvent> events = new ArrayList<>();

    Path again = backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), events::add);

    assertThat(server.requests())
        .singleElement()
        .satisfies(r -> assertThat(r.header("If-None-Match")).contains("\"v1\""));
    assertThat(events).map(e -> ((TransferProgress) e).phase()).containsExactly(Phase.CACHED);
    assertThat(Files.readAllBytes(again)).isEqualTo(DATA);
  }

  @Test
  void changedContentIsDownloadedAgain() throws Exception {
    backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none());
    content.set("new\n".getBytes(StandardCharsets.UTF_8));
    etag.set("\"v2\"");

    Path again =
        backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none());

    assertThat(Files.readString(again)).isEqualTo("new\n");
  }

  @Test
  void aStalledDownloadIsAbandonedAndResumedWithRangeAndIfRange() throws Exception {
    stallNext.set(1000);
    HttpsStorageBackend impatient =
        HttpsStorageBackend.builder()
            .cacheDir(cache)
            .httpClient(client)
            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)))
            .requestTimeout(Duration.ofSeconds(1))
            .build();

    long start = System.nanoTime();
    Path fetched =
        impatient.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(Files.readAllBytes(fetched)).isEqualTo(DATA);
    List<LoopbackServer.Request> gets = server.requests();
    assertThat(gets).hasSize(2);
    assertThat(gets.get(0).header("Range")).isEmpty();
    assertThat(gets.get(1).header("Range")).contains("bytes=1000-");
    assertThat(gets.get(1).header("If-Range")).contains("\"v1\"");
  }

  @Test
  void aBrokenConnectionIsRetried() throws Exception {
    cutNext.set(1000);

    Path fetched =
        backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none());

    assertThat(Files.readAllBytes(fetched)).isEqualTo(DATA);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void resumingAChangedFileStartsOver() throws Exception {
    backend =
        HttpsStorageBackend.builder()
            .cacheDir(cache)
            .httpClient(client)
            .retryPolicy(RetryPolicy.none())
            .build();
    cutNext.set(1000);
    assertThatThrownBy(
            () ->
                backend.fetch(
                    url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none()))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("after 1 attempt");
    byte[] changed = "changed\n".repeat(300).getBytes(StandardCharsets.UTF_8);
    content.set(changed);
    etag.set("\"v2\"");

    Path fetched =
        backend.fetch(url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none());

    assertThat(Files.readAllBytes(fetched)).isEqualTo(changed);
  }

  @Test
  void redirectsAreFollowedAndRetriesOutlast503() throws Exception {
    failNext.set(2);

    Path fetched = backend.fetch(url("/moved"), FetchOptions.defaults(), ProgressListener.none());

    assertThat(Files.readAllBytes(fetched)).isEqualTo(DATA);
    assertThat(fetched).hasFileName("moved");
  }

  @Test
  void destinationGetsACopyUnderTheUrlsFileName(@TempDir Path out) throws Exception {
    Path fetched =
        backend.fetch(
            url("/data/train.jsonl"),
            FetchOptions.builder().destination(out).build(),
            ProgressListener.none());

    assertThat(fetched).isEqualTo(out.resolve("train.jsonl"));
    assertThat(Files.readAllBytes(fetched)).isEqualTo(DATA);
  }

  @Test
  void missingFileIsNotFoundAndPersistent5xxIsARemoteFailure() {
    assertThatThrownBy(
            () ->
                backend.fetch(url("/nope.json"), FetchOptions.defaults(), ProgressListener.none()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("/nope.json")
        .hasMessageContaining("HTTP 404: no such file");
    failNext.set(10);
    assertThatThrownBy(
            () ->
                backend.fetch(
                    url("/data/train.jsonl"), FetchOptions.defaults(), ProgressListener.none()))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("HTTP 503")
        .hasMessageContaining("after 3 attempts");
  }

  @Test
  void listGivesTheFileAndItsSize() {
    assertThat(backend.list(url("/data/train.jsonl")))
        .containsExactly(StoredFile.of("train.jsonl", DATA.length));
  }
}
