package dev.tune.container.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.container.fixtures.TinyTraining;
import dev.tune.container.serve.Contract;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each provider's contract run locally end to end: the train entrypoint in a child JVM in a
 * directory laid out as the provider's container, then the serve entrypoint on its model.
 */
class ContractRunnerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY = Duration.ofMinutes(2);

  @TempDir Path dir;

  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ContractRunner runner(Contract contract) {
    // Surefire starts tests with a manifest-only jar; the child needs the real classpath.
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return ContractRunner.builder(contract)
        .jvm(ChildJvm.current().withClassPath(classPath))
        .workRoot(dir.resolve("runs"))
        // One libtorch thread: on shared cores OpenMP spin-waits make tiny steps slow.
        .environment(Map.of("OMP_NUM_THREADS", "1"))
        .output(lines::add)
        .build();
  }

  private TrainSpec spec() throws IOException {
    return TinyTraining.spec(TinyTraining.writeDolly(dir.resolve("data/train.jsonl"), 16), 2);
  }

  @Test
  void sageMakerTrainsThenServesItsModel() throws Exception {
    ContractRunner runner = runner(Contract.SAGEMAKER);

    ContractTrainingResult result = runner.train(spec()).await();

    assertThat(result.exitCode()).as("output: %s", result.lastLines()).isZero();
    Path job = result.jobDir();
    assertThat(job.resolve("input/config/hyperparameters.json")).isRegularFile();
    assertThat(job.resolve("input/data/model/model.safetensors")).isRegularFile();
    assertThat(job.resolve("input/data/train/train.jsonl")).isRegularFile();
    assertThat(result.modelDir()).isEqualTo(job.resolve("model"));
    assertThat(result.modelDir().resolve("config.json")).isRegularFile();
    assertThat(result.adapterDir().resolve("adapter_model.safetensors")).isRegularFile();
    assertThat(job.resolve("checkpoints/checkpoint-2")).isDirectory();
    JsonNode metrics = JSON.readTree(result.metricsFile().toFile());
    assertThat(metrics.get("final").get("global_step").asInt()).isEqualTo(2);
    assertThat(metrics.get("samples")).isNotEmpty();
    assertThat(lines).anyMatch(l -> l.startsWith("{\"type\":\"metrics\",\"step\":1"));

    try (ContractEndpoint endpoint = runner.serve(FileUri.of(result.modelDir()))) {
      endpoint.awaitReady(READY);
      assertThat(endpoint.predictUri().getPath()).isEqualTo("/invocations");
      assertThat(endpoint.dir().resolve("model/config.json")).isRegularFile();
      HttpResponse<String> response = post(endpoint, "{\"inputs\": \"Name colour 3.\"}");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).get("predictions")).hasSize(1);
      assertThat(endpoint.stop(Duration.ofSeconds(30))).isEqualTo(143);
    }
  }

  @Test
  void vertexTrainsThenServesItsModel() throws Exception {
    ContractRunner runner = runner(Contract.VERTEX);

    ContractTrainingResult result = runner.train(spec()).await();

    assertThat(result.exitCode()).as("output: %s", result.lastLines()).isZero();
    Path job = result.jobDir();
    assertThat(job.resolve("gcs/spec.json")).isRegularFile();
    assertThat(result.modelDir()).isEqualTo(job.resolve("model"));
    assertThat(result.modelDir().resolve("model.safetensors")).isRegularFile();
    assertThat(job.resolve("checkpoints/checkpoint-2")).isDirectory();
    assertThat(result.metricsFile()).isEqualTo(job.resolve("output/metrics.json")).isRegularFile();

    try (ContractEndpoint endpoint = runner.serve(FileUri.of(result.modelDir()))) {
      endpoint.awaitReady(READY);
      assertThat(endpoint.predictUri().getPath()).endsWith(":predict");
      HttpResponse<String> response =
          post(endpoint, "{\"instances\": [{\"prompt\": \"Name colour 3.\", \"max_tokens\": 4}]}");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).get("predictions")).hasSize(1);
    }
  }

  @Test
  void aFailedSageMakerJobReportsItsFailureReason() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"instruction\": \"no response\"\n");
    TrainSpec spec = TinyTraining.spec(bad, 2);

    ContractTrainingResult result = runner(Contract.SAGEMAKER).train(spec).await();

    assertThat(result.succeeded()).isFalse();
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f).startsWith("bad_input: "));
    assertThat(result.jobDir().resolve("output/failure")).isRegularFile();
  }

  @Test
  void aStoppedJobSavesACheckpointAndSaysItStopped() throws Exception {
    TrainSpec spec =
        TinyTraining.spec(TinyTraining.writeDolly(dir.resolve("data/train.jsonl"), 16), 500);
    ContractTraining training = runner(Contract.SAGEMAKER).train(spec);
    long until = System.nanoTime() + READY.toNanos();
    while (lines.stream().noneMatch(l -> l.startsWith("{\"type\":\"metrics\",\"step\":1"))) {
      assertThat(System.nanoTime()).as("no step within %s: %s", READY, lines).isLessThan(until);
      Thread.sleep(50);
    }

    training.stop(Duration.ofSeconds(60)); // SIGTERM, as SageMaker stops a job

    ContractTrainingResult result = training.await();
    assertThat(result.exitCode()).as("output: %s", result.lastLines()).isEqualTo(143);
    try (var checkpoints = Files.list(result.jobDir().resolve("checkpoints"))) {
      assertThat(checkpoints.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("checkpoint-"));
    }
    List<String> events = Files.readAllLines(result.eventsFile());
    assertThat(events.get(events.size() - 1)).startsWith("{\"type\":\"stopped\"");
    assertThat(result.jobDir().resolve("output/failure")).doesNotExist();
  }

  private static HttpResponse<String> post(ContractEndpoint endpoint, String body)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(endpoint.predictUri())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
