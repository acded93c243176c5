package dev.tune.container.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.trainer.model.generation.FinishReason;
import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import dev.tune.trainer.tokenizer.ChatMessage;
import dev.tune.trainer.tokenizer.ChatRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over real HTTP on loopback, serving the tiny Llama fixture. */
class PredictionServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private static ServedModel reference;
  private static Generator generator;

  private final List<PredictionServer> servers = new ArrayList<>();

  @BeforeAll
  static void loadReference() {
    reference = ServedModel.load(LlamaFixture.dir());
    generator = new Generator(reference.model());
  }

  @AfterAll
  static void closeReference() {
    reference.close();
  }

  @AfterEach
  void stopServers() {
    servers.forEach(PredictionServer::stop);
  }

  // --- helpers

  private static ServerConfig sageMaker() {
    return ServerConfig.fromEnvironment(
            Map.of("SM_MODEL_DIR", LlamaFixture.dir().toString()), Contract.SAGEMAKER)
        .withPort(0);
  }

  private PredictionServer start(ServerConfig config) throws Exception {
    PredictionServer server = PredictionServer.start(config);
    servers.add(server);
    server.ready().get(60, TimeUnit.SECONDS);
    return server;
  }

  private record Answer(int status, JsonNode json, HttpResponse<String> raw) {
    String error() {
      return json.at("/error/message").asText();
    }
  }

  private static URI uri(PredictionServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static Answer send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode json =
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
            ? JSON.readTree(response.body())
            : JSON.nullNode();
    return new Answer(response.statusCode(), json, response);
  }

  private static Answer get(PredictionServer server, String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(server, path)).GET().build());
  }

  private static Answer post(PredictionServer server, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(server, path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  private static Answer invoke(PredictionServer server, String body, String... headers)
      throws Exception {
    return post(server, "/invocations", body, headers);
  }

  private static String greedyText(long[] prompt, int maxTokens) {
    GenerationResult r =
        generator.generate(
            prompt, SamplingParams.greedy(maxTokens).withEosTokenIds(reference.eosTokenIds()));
    return reference.tokenizer().decode(r.tokens(), true);
  }

  private static String greedyText(String prompt, int maxTokens) {
    return greedyText(reference.tokenizer().encode(prompt), maxTokens);
  }

  private static String instance(String prompt, int maxTokens) throws Exception {
    return "{\"instances\": [{\"prompt\": "
        + JSON.writeValueAsString(prompt)
        + ", \"max_tokens\": "
        + maxTokens
        + "}]}";
  }

  // --- contracts

  @Test
  void sageMakerPingAndInvocations() throws Exception {
    PredictionServer server = start(sageMaker());
    Answer ping = get(server, "/ping");
    assertThat(ping.status()).isEqualTo(200);
    assertThat(ping.json().get("status").asText()).isEqualTo("ready");

    Answer answer = invoke(server, instance("The quick brown fox", 8));
    assertThat(answer.status()).isEqualTo(200);
    JsonNode prediction = answer.json().get("predictions").get(0);
    assertThat(prediction.get("text").asText()).isEqualTo(greedyText("The quick brown fox", 8));
    assertThat(prediction.get("prompt_tokens").asInt())
        .isEqualTo(reference.tokenizer().encode("The quick brown fox").length);
    assertThat(prediction.get("finish_reason").asText()).isIn("stop", "length");
  }

  @Test
  void vertexRoutesAndPortComeFromTheAipVariables() throws Exception {
    Map<String, String> env =
        Map.of(
            "AIP_HEALTH_ROUTE", "/v1/endpoints/7/deployedModels/8",
            "AIP_PREDICT_ROUTE", "/v1/endpoints/7/deployedModels/8:predict",
            "AIP_STORAGE_URI", LlamaFixture.dir().toUri().toString());
    PredictionServer server = start(ServerConfig.fromEnvironment(env, Contract.VERTEX).withPort(0));
    assertThat(get(server, "/v1/endpoints/7/deployedModels/8").status()).isEqualTo(200);
    Answer answer =
        post(
            server,
            "/v1/endpoints/7/deployedModels/8:predict",
            "{\"instances\": [{\"prompt\": \"Hello\", \"max_tokens\": 5}, \"Paris\"],"
                + " \"parameters\": {\"max_tokens\": 4}}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("predictions")).hasSize(2);
    assertThat(answer.json().at("/predictions/0/text").asText()).isEqualTo(greedyText("Hello", 5));
    assertThat(answer.json().at("/predictions/1/text").asText()).isEqualTo(greedyText("Paris", 4));
    assertThat(get(server, "/ping").status()).isEqualTo(404);
    assertThat(post(server, "/invocations", "{}").status()).isEqualTo(404);
  }

  @Test
  void healthIs503UntilTheModelIsLoaded() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PredictionServer server =
        PredictionServer.start(
            sageMaker(),
            dir -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return ServedModel.load(dir);
            });
    servers.add(server);
    Answer loading = get(server, "/ping");
    assertThat(loading.status()).isEqualTo(503);
    assertThat(loading.json().get("status").asText()).isEqualTo("loading");
    Answer early = invoke(server, instance("Hello", 2));
    assertThat(early.status()).isEqualTo(503);
    assertThat(early.error()).contains("still loading");
    assertThat(server.isReady()).isFalse();

    release.countDown();
    server.ready().get(60, TimeUnit.SECONDS);
    assertThat(get(server, "/ping").status()).isEqualTo(200);
    assertThat(invoke(server, instance("Hello", 2)).status()).isEqualTo(200);
  }

  @Test
  void aModelThatFailsToLoadKeepsHealthAt503AndSaysWhy() throws Exception {
    PredictionServer server =
        PredictionServer.start(
            sageMaker().withModelDir(LlamaFixture.dir().resolve("missing")), ServedModel::load);
    servers.add(server);
    assertThatThrownBy(() -> server.ready().get(60, TimeUnit.SECONDS))
        .hasMessageContaining("missing");
    Answer health = get(server, "/ping");
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().get("status").asText()).isEqualTo("failed");
    assertThat(health.json().get("message").asText()).contains("failed to load");
  }

  // --- generation

  @Test
  void huggingFaceInputsGiveTheGeneratorsGreedyText() throws Exception {
    PredictionServer server = start(sageMaker());
    Answer answer =
        invoke(
            server,
            "{\"inputs\": \"What is the capital of France?\","
                + " \"parameters\": {\"max_new_tokens\": 12, \"do_sample\": false}}");
    assertThat(answer.status()).isEqualTo(200);
    JsonNode p = answer.json().at("/predictions/0");
    GenerationResult expected =
        generator.generate(
            reference.tokenizer().encode("What is the capital of France?"),
            SamplingParams.greedy(12).withEosTokenIds(reference.eosTokenIds()));
    assertThat(p.get("text").asText())
        .isEqualTo(reference.tokenizer().decode(expected.tokens(), true));
    assertThat(p.get("completion_tokens").asInt()).isEqualTo(expected.tokens().length);
    assertThat(p.get("finish_reason").asText())
        .isEqualTo(expected.finishReason() == FinishReason.EOS ? "stop" : "length");
  }

  @Test
  void chatMessagesAreRenderedWithTheModelsTemplate() throws Exception {
    PredictionServer server = start(sageMaker());
    Answer answer =
        invoke(
            server,
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"parameters\": {\"max_tokens\": 6}}");
    assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
    long[] chatIds =
        reference.tokenizer().encodeChat(ChatRequest.of(List.of(ChatMessage.user("Hi")), true));
    assertThat(reference.tokenizer().decode(chatIds, false))
        .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    assertThat(reference.tokenizer().decode(chatIds, false)).endsWith("<|im_start|>assistant\n");
    JsonNode p = answer.json().at("/predictions/0");
    assertThat(p.get("prompt_tokens").asInt()).isEqualTo(chatIds.length);
    assertThat(p.get("text").asText()).isEqualTo(greedyText(chatIds, 6));
  }

  @Test
  void streamingSendsEachTokenThenThePredictionThenDone() throws Exception {
    PredictionServer server = start(sageMaker());
    String prompt = "Fine-tuning adapts a model.";
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(uri(server, "/invocations"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\": \""
                            + prompt
                            + "\", \"stream\": true,"
                            + " \"parameters\": {\"max_tokens\": 10}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    List<String> data = new ArrayList<>();
    for (String event : response.body().split("\n\n")) {
      assertThat(event).startsWith("data: ");
      data.add(event.substring("data: ".length()));
    }
    assertThat(data.getLast()).isEqualTo("[DONE]");
    JsonNode last = JSON.readTree(data.get(data.size() - 2));
    List<JsonNode> tokens = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 2)) {
      tokens.add(JSON.readTree(d));
    }
    StringBuilder pieces = new StringBuilder();
    tokens.forEach(t -> pieces.append(t.get("text").asText()));
    assertThat(tokens).allSatisfy(t -> assertThat(t.get("index").asInt()).isZero());
    assertThat(tokens).hasSize(last.get("completion_tokens").asInt());
    assertThat(last.get("text").asText()).isEqualTo(greedyText(prompt, 10));
    assertThat(pieces.toString()).isEqualTo(last.get("text").asText());
    assertThat(last.get("finish_reason").asText()).isIn("stop", "length");
  }

  @Test
  void chatMessagesToAModelWithoutATemplateAre400(@TempDir Path dir) throws Exception {
    for (String file :
        List.of(
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json")) {
      Files.copy(LlamaFixture.dir().resolve(file), dir.resolve(file));
    }
    PredictionServer server = start(sageMaker().withModelDir(dir));
    Answer answer = invoke(server, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error()).contains("no chat template").contains("\"prompt\"");
    assertThat(invoke(server, instance("Hi", 3)).status()).isEqualTo(200);
  }

  // --- bad requests

  @Test
  void badRequestsGet400WithAMessage() throws Exception {
    PredictionServer server = start(sageMaker());
    Map<String, String> cases =
        Map.of(
            "{\"instances\": [{\"prompt\": \"a\"", "not valid JSON",
            "{\"instances\": [{\"prompt\": 3}]}", "instances[0].prompt must be a string",
            "{\"instances\": [{\"prompt\": \"a\", \"top_k\": \"ten\"}]}", "top_k must be",
            "{\"instances\": [{\"prompt\": \"\"}]}", "instances[0].prompt is empty",
            "{\"parameters\": {\"max_tokens\": 3}}", "no prompts",
            "", "empty");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Answer answer = invoke(server, c.getKey());
      assertThat(answer.status()).as(c.getKey()).isEqualTo(400);
      assertThat(answer.json().at("/error/type").asText()).isEqualTo("bad_request");
      assertThat(answer.error()).as(c.getKey()).contains(c.getValue());
    }
    // Still serving after all of that.
    assertThat(invoke(server, instance("Hello", 2)).status()).isEqualTo(200);
  }

  @Test
  void tokenLimitsAre400sThatNameTheLimit() throws Exception {
    int context = reference.contextLength();
    PredictionServer server =
        start(sageMaker().withLimits(ServerLimits.defaults().withMaxNewTokens(context)));
    Answer tooMany = invoke(server, instance("Hello", context + 1));
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.error())
        .contains("max_tokens is " + (context + 1))
        .contains("at most " + context);

    int promptTokens = reference.tokenizer().encode("Hello").length;
    Answer overContext = invoke(server, instance("Hello", context - promptTokens + 1));
    assertThat(overContext.status()).isEqualTo(400);
    assertThat(overContext.error())
        .contains("exceed the model's context of " + context)
        .contains("at most " + (context - promptTokens) + " new tokens");

    Answer tooLong = invoke(server, instance("word ".repeat(context), 1));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.error()).contains("the model's context is " + context);
  }

  @Test
  void anOversizeBodyGets413DeclaredOrChunked() throws Exception {
    PredictionServer server =
        start(sageMaker().withLimits(ServerLimits.defaults().withMaxBodyBytes(4096)));
    String big = instance("x".repeat(8000), 2);
    Answer declared = invoke(server, big);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.error()).contains("at most 4096 bytes");

    Answer chunked =
        send(
            HttpRequest.newBuilder(uri(server, "/invocations"))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build());
    assertThat(chunked.status()).isEqualTo(413);
    assertThat(chunked.json().at("/error/type").asText()).isEqualTo("payload_too_large");
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405() throws Exception {
    PredictionServer server = start(sageMaker());
    Answer unknown = get(server, "/predict");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).contains("GET /ping").contains("POST /invocations");

    Answer getInvocations = get(server, "/invocations");
    assertThat(getInvocations.status()).isEqualTo(405);
    assertThat(getInvocations.raw().headers().firstValue("Allow")).contains("POST");
    Answer postPing = post(server, "/ping", "{}");
    assertThat(postPing.status()).isEqualTo(405);
    assertThat(postPing.raw().headers().firstValue("Allow")).contains("GET");
  }

  @Test
  void anApiKeyGuardsEverythingButHealth() throws Exception {
    PredictionServer server = start(sageMaker().withApiKey(Optional.of("k3y")));
    String body = instance("Hello", 2);
    Answer none = invoke(server, body);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.error()).contains("Authorization: Bearer");
    assertThat(none.raw().headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(invoke(server, body, "Authorization", "Bearer nope").status()).isEqualTo(401);
    assertThat(invoke(server, body, "X-Api-Key", "k3").status()).isEqualTo(401);
    assertThat(invoke(server, body, "Authorization", "Bearer k3y").status()).isEqualTo(200);
    assertThat(invoke(server, body, "X-Api-Key", "k3y").status()).isEqualTo(200);
    assertThat(get(server, "/ping").status()).isEqualTo(200);
    assertThat(get(server, "/other").status()).isEqualTo(401);
  }

  @Test
  void aRequestOverTheTimeLimitGets408() throws Exception {
    PredictionServer server =
        start(
            sageMaker()
                .withLimits(ServerLimits.defaults().withRequestTimeout(Duration.ofNanos(1))));
    Answer answer = invoke(server, instance("Hello", 5));
    assertThat(answer.status()).isEqualTo(408);
    assertThat(answer.json().at("/error/type").asText()).isEqualTo("timeout");
    assertThat(answer.error()).contains("time limit");
  }

  @Test
  void aFullQueueGets429() throws Exception {
    PredictionServer server =
        start(sageMaker().withLimits(ServerLimits.defaults().withMaxQueuedSequences(1)));
    Answer answer = invoke(server, "{\"inputs\": [\"a b\", \"c d\"]}");
    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.error()).contains("limit is 1");
  }

  // --- concurrency and shutdown

  @Test
  void parallelRequestsAreBatchedAndAllAnswered() throws Exception {
    PredictionServer server =
        start(sageMaker().withBatching(new BatchingOptions(16, Duration.ofMillis(20))));
    List<String> prompts = List.of("Hello", "The quick brown fox", "Name a colour.", "Paris is");
    int n = 32;
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.add(
          CLIENT.sendAsync(
              HttpRequest.newBuilder(uri(server, "/invocations"))
                  .POST(HttpRequest.BodyPublishers.ofString(instance(prompts.get(i % 4), 8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < n; i++) {
      HttpResponse<String> response = inFlight.get(i).get(120, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).at("/predictions/0/text").asText())
          .isEqualTo(greedyText(prompts.get(i % 4), 8));
    }
    ServerMetrics metrics = server.metrics();
    assertThat(metrics.requests()).isEqualTo(n);
    assertThat(metrics.sequences()).isEqualTo(n);
    assertThat(metrics.batches()).isLessThan(n);
    assertThat(metrics.largestBatch()).isGreaterThan(1);
  }

  @Test
  void stopFinishesARequestInFlightThenRefusesConnections() throws Exception {
    // A batch that waits 2 s for company keeps the request in flight while stop begins.
    PredictionServer server =
        start(
            sageMaker()
                .withBatching(new BatchingOptions(16, Duration.ofSeconds(2)))
                .withShutdownGrace(Duration.ofSeconds(20)));
    CompletableFuture<HttpResponse<String>> inFlight =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(uri(server, "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(instance("Hello", 6)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.metrics().queued() == 0 && System.nanoTime() < waitUntil) {
      Thread.sleep(5);
    }
    assertThat(server.metrics().queued()).isEqualTo(1);

    long started = System.nanoTime();
    server.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    HttpResponse<String> response = inFlight.get(5, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/predictions/0/text").asText())
        .isEqualTo(greedyText("Hello", 6));
    assertThat(server.isReady()).isFalse();
    assertThatThrownBy(() -> get(server, "/ping")).isInstanceOf(ConnectException.class);
  }
}
