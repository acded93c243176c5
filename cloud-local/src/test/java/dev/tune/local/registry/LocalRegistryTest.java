package dev.tune.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.NotFoundException;
import dev.tune.local.LocalClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRegistryTest {
  @TempDir Path temp;

  @Test
  void keepsVersionsWithLineageAndMetricsAcrossRestartsAndAfterTheJobIsGone() throws IOException {
    Path job = jobWithModel("support-bot-20261126-101010");
    Path registryRoot = temp.resolve("registry");

    ModelRecord first = new LocalRegistry(registryRoot).register("support-bot", model(job));
    ModelRecord second = new LocalRegistry(registryRoot).register("support-bot", model(job));
    deleteTree(job);

    LocalRegistry reopened = new LocalRegistry(registryRoot);
    assertThat(first.id()).isEqualTo("support-bot@v1");
    assertThat(second.id()).isEqualTo("support-bot@v2");
    assertThat(reopened.list())
        .extracting(ModelRecord::id)
        .containsExactly("support-bot@v2", "support-bot@v1");
    ModelRecord latest = reopened.describe("support-bot");
    assertThat(latest.version()).isEqualTo(2);
    assertThat(latest.jobId()).contains("support-bot-20261126-101010");
    assertThat(latest.baseModel()).contains("hf://org/tiny@main");
    assertThat(latest.data()).contains("file:///data/train.jsonl");
    assertThat(latest.metrics().orElseThrow().path("samples").get(0).path("after").asText())
        .isEqualTo("tuned answer");
    assertThat(reopened.modelDir(latest).resolve("model.safetensors"))
        .hasBinaryContent("weights".getBytes(StandardCharsets.UTF_8));
    assertThat(reopened.versionDir(latest).resolve("metrics.json")).isRegularFile();
    assertThat(reopened.versionDir(latest).resolve("spec.json")).isRegularFile();
  }

  @Test
  void deletedVersionsAreGoneAndTheirNumbersAreNotReused() throws IOException {
    Path job = jobWithModel("j1");
    LocalRegistry registry = new LocalRegistry(temp.resolve("registry"));
    registry.register("bot", model(job));
    registry.register("bot", model(job));

    registry.delete("bot@v2");

    assertThatThrownBy(() -> registry.describe("bot@v2"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("bot@v2");
    assertThat(registry.describe("bot").id()).isEqualTo("bot@v1");
    assertThat(registry.register("bot", model(job)).id()).isEqualTo("bot@v3");
    assertThatThrownBy(() -> registry.describe("../registry"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void registersADirectoryWithoutJobAsPlainModel() throws IOException {
    Path dir = Files.createDirectories(temp.resolve("exported/model"));
    Files.writeString(dir.resolve("config.json"), "{}");
    ModelRecord record = new LocalRegistry(temp.resolve("registry")).register("plain", dir);
    assertThat(record.jobId()).isEmpty();
    assertThat(record.metrics()).isEmpty();
    assertThat(record.source()).isEqualTo("file://" + dir);
  }

  @Test
  void concurrentRegistrationsFromThreadsAndAnotherProcessGetDistinctVersions() throws Exception {
    Path job = jobWithModel("j1");
    Path registryRoot = temp.resolve("registry");
    int perWriter = 5;
    Process other =
        new ProcessBuilder(
                LocalClient.childJvm()
                    .command(
                        RegisterDriverMain.class.getName(),
                        List.of(
                            registryRoot.toString(),
                            model(job).toString(),
                            "shared",
                            Integer.toString(perWriter))))
            .redirectErrorStream(true)
            .start();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> threads = new ArrayList<>();
    try {
      for (int t = 0; t < 2; t++) {
        Callable<List<String>> writer =
            () -> {
              start.await();
              LocalRegistry registry = new LocalRegistry(registryRoot);
              List<String> ids = new ArrayList<>();
              for (int i = 0; i < perWriter; i++) {
                ids.add(registry.register("shared", model(job)).id());
              }
              return ids;
            };
        threads.add(pool.submit(writer));
      }
      start.countDown();
      List<String> ids = new ArrayList<>();
      for (Future<List<String>> f : threads) {
        ids.addAll(f.get(60, TimeUnit.SECONDS));
      }
      String otherOutput =
          new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(other.exitValue()).as(otherOutput).isZero();
      ids.addAll(otherOutput.lines().filter(l -> l.startsWith("shared@v")).toList());

      assertThat(ids).hasSize(3 * perWriter).doesNotHaveDuplicates();
      assertThat(new LocalRegistry(registryRoot).list())
          .extracting(ModelRecord::version)
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.IntStream.rangeClosed(1, 3 * perWriter).boxed().toList());
    } finally {
      pool.shutdownNow();
      other.destroyForcibly();
    }
  }

  /** The layout a local training job leaves: spec.json, job.json, output/model, metrics.json. */
  private Path jobWithModel(String id) throws IOException {
    Path job = Files.createDirectories(temp.resolve("jobs").resolve(id));
    Files.writeString(job.resolve("job.json"), "{\"id\":\"" + id + "\"}");
    Files.writeString(
        job.resolve("spec.json"),
        "{\"model\":{\"base\":\"hf://org/tiny@main\"},"
            + "\"data\":{\"train\":\"file:///data/train.jsonl\"}}");
    Path model = Files.createDirectories(job.resolve("output/model"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
    Files.writeString(model.resolve("model.safetensors"), "weights");
    Files.writeString(
        job.resolve("output/metrics.json"),
        "{\"final\":{\"train_loss\":1.5},"
            + "\"samples\":[{\"prompt\":\"hi\",\"before\":\"base answer\",\"after\":\"tuned answer\"}]}");
    return job;
  }

  private static Path model(Path job) {
    return job.resolve("output/model");
  }

  private static void deleteTree(Path dir) throws IOException {
    dev.tune.core.storage.LocalTree.delete(dir);
  }
}
