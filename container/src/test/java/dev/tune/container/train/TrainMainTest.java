package dev.tune.container.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.container.fixtures.SingleThreadedTorch;
import dev.tune.container.fixtures.TinyTraining;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.generate.GenerateRequest;
import dev.tune.trainer.generate.TextGenerator;
import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.lora.PeftAdapterDir;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code train} entrypoint in this JVM, under each contract, on the tiny fixture model. */
@ExtendWith(SingleThreadedTorch.class)
class TrainMainTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int train(Map<String, String> env, String... args) {
    return TrainMain.run(
        args,
        env,
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private Path localJob(TrainSpec spec) throws IOException {
    Path job = dir.resolve("job-1");
    Files.createDirectories(job);
    JSON.writeValue(job.resolve("spec.json").toFile(), TrainSpecJson.write(spec));
    return job;
  }

  private static List<JsonNode> events(Path file) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      events.add(JSON.readTree(line));
    }
    return events;
  }

  @Test
  void localContractTrainsMergesAndWritesEveryOutput() throws IOException {
    Path data = TinyTraining.writeDolly(dir.resolve("data/train.jsonl"), 16);
    Path job = localJob(TinyTraining.spec(data, 2));

    int code = train(Map.of(), "train", "--contract", "local", "--job-dir", job.toString());

    assertThat(code).as("stderr: %s", err()).isZero();
    Path output = job.resolve("output");
    assertThat(job.resolve("failure")).doesNotExist();
    assertThat(job.resolve("checkpoints/checkpoint-2")).isDirectory();
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThat(PeftAdapterDir.load(output.resolve("adapter"), manager).adapters()).isNotEmpty();
    }
    try (InferenceModel merged = InferenceModel.load(output.resolve("model"), Optional.empty())) {
      String text =
          new TextGenerator(merged)
              .generate(GenerateRequest.builder().prompt("Name colour 3.").maxNewTokens(4).build())
              .text();
      assertThat(text).isNotNull();
    }

    assertThat(Files.readString(output.resolve("report.html")))
        .contains("tiny-tuned", "Name colour");
    try (var logs = Files.list(output.resolve("logs"))) {
      assertThat(logs.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("events.out.tfevents."));
    }
    JsonNode metrics = JSON.readTree(output.resolve("metrics.json").toFile());
    assertThat(metrics.get("final").get("global_step").asInt()).isEqualTo(2);
    assertThat(metrics.get("final").get("train_loss").asDouble()).isPositive();
    assertThat(metrics.get("final").get("eval_loss").asDouble()).isPositive();
    assertThat(metrics.get("samples")).hasSize(SamplePrompt.DEFAULT_COUNT);
    for (JsonNode sample : metrics.get("samples")) {
      assertThat(sample.get("prompt").asText()).contains("### Instruction:");
      assertThat(sample.get("before").isTextual()).isTrue();
      assertThat(sample.get("after").isTextual()).isTrue();
    }

    List<JsonNode> events = events(job.resolve("events.jsonl"));
    assertThat(events.get(0).get("state").asText()).isEqualTo("DOWNLOADING");
    assertThat(events)
        .filteredOn(e -> e.get("type").asText().equals("metrics") && e.has("loss"))
        .extracting(e -> e.get("step").asInt())
        .containsExactly(1, 2);
    assertThat(events).anySatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("eval"));
    assertThat(events.get(events.size() - 1).get("type").asText()).isEqualTo("done");
    // the same events on standard output, one JSON line each
    assertThat(out()).contains("{\"type\":\"done\"");
  }

  @Test
  void resumesFromTheNewestCheckpoint() throws IOException {
    Path data = TinyTraining.writeDolly(dir.resolve("data/train.jsonl"), 16);
    Path job = localJob(TinyTraining.spec(data, 2));
    assertThat(train(Map.of(), "--contract", "local", "--job-dir", job.toString()))
        .as("stderr: %s", err())
        .isZero();
    JSON.writeValue(
        job.resolve("spec.json").toFile(), TrainSpecJson.write(TinyTraining.spec(data, 4)));
    outBytes.reset();

    int code = train(Map.of(), "--contract", "local", "--job-dir", job.toString(), "--resume");

    assertThat(code).as("stderr: %s", err()).isZero();
    assertThat(out()).containsPattern("Resuming from .*checkpoint-2 at step 2");
    JsonNode metrics = JSON.readTree(job.resolve("output/metrics.json").toFile());
    assertThat(metrics.get("final").get("global_step").asInt()).isEqualTo(4);
    assertThat(job.resolve("checkpoints/checkpoint-4")).isDirectory();
  }

  @Test
  void aMissingDataFileFailsWithTheReasonInTheFailureFile() throws IOException {
    Path job = localJob(TinyTraining.spec(dir.resolve("nowhere.jsonl"), 2));

    int code = train(Map.of(), "--contract", "local", "--job-dir", job.toString());

    assertThat(code).isEqualTo(2);
    String failure = Files.readString(job.resolve("failure"));
    assertThat(failure).startsWith("bad_input: ").contains("nowhere.jsonl", "Fix: ");
    List<JsonNode> events = events(job.resolve("events.jsonl"));
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.get("type").asText()).isEqualTo("failed");
    assertThat(last.get("reason").asText()).isEqualTo(failure.strip());
    assertThat(err()).contains("tune train failed: bad_input: ");
  }

  @Test
  void sageMakerContractReadsHyperparametersAndChannels() throws IOException {
    Path ml = dir.resolve("opt/ml");
    Path config = Files.createDirectories(ml.resolve("input/config"));
    Path trainChannel = ml.resolve("input/data/train");
    TinyTraining.writeDolly(trainChannel.resolve("part-0.jsonl"), 16);
    // The spec names S3; the staged channels stand in for it, as in a real job.
    TrainSpec spec =
        TinyTraining.spec(
            ArtifactUri.parse("s3://bucket/base-model"),
            ArtifactUri.parse("s3://bucket/train.jsonl"),
            2);
    writeHyperparameters(config, TrainSpecJson.toFlat(spec));
    Map<String, String> env = sageMakerEnv(ml);
    env.put("SM_CHANNEL_MODEL", TinyTraining.llamaDir().toString());

    int code = train(env, "train");

    assertThat(code).as("stderr: %s", err()).isZero();
    assertThat(ml.resolve("model/config.json")).isRegularFile();
    assertThat(ml.resolve("model/model.safetensors")).isRegularFile();
    assertThat(ml.resolve("output/data/adapter/adapter_model.safetensors")).isRegularFile();
    assertThat(ml.resolve("output/data/metrics.json")).isRegularFile();
    assertThat(ml.resolve("output/data/events.jsonl")).isRegularFile();
    assertThat(ml.resolve("checkpoints/checkpoint-2")).isDirectory();
    assertThat(ml.resolve("output/failure")).doesNotExist();
    assertThat(out()).contains("job sagemaker:tiny-job-1");
  }

  @Test
  void sageMakerShowsABadHyperparameterAsTheFailureReason() throws IOException {
    Path ml = dir.resolve("opt/ml");
    Path config = Files.createDirectories(ml.resolve("input/config"));
    Map<String, String> flat =
        new TreeMap<>(TrainSpecJson.toFlat(TinyTraining.spec(dir.resolve("t.jsonl"), 2)));
    flat.put("training.learning_rate", "fast");
    writeHyperparameters(config, flat);

    int code = train(sageMakerEnv(ml), "train");

    assertThat(code).isEqualTo(2);
    assertThat(Files.readString(ml.resolve("output/failure")))
        .contains("training.learning_rate", "fast");
  }

  @Test
  void vertexContractReadsAndWritesThroughTheGcsMount() throws IOException {
    Path gcs = dir.resolve("gcs");
    Path bucket = Files.createDirectories(gcs.resolve("bkt"));
    TinyTraining.writeDolly(bucket.resolve("data/train.jsonl"), 16);
    TrainSpec spec =
        TinyTraining.spec(
            ArtifactUri.parse("file://" + TinyTraining.llamaDir()),
            ArtifactUri.parse("gs://bkt/data/train.jsonl"),
            2);
    Path specFile = bucket.resolve("job/spec.json");
    Files.createDirectories(specFile.getParent());
    JSON.writeValue(specFile.toFile(), TrainSpecJson.write(spec));
    Map<String, String> env = new HashMap<>();
    env.put("AIP_MODEL_DIR", "gs://bkt/job/model/");
    env.put("AIP_CHECKPOINT_DIR", "gs://bkt/job/checkpoints/");
    env.put("AIP_TENSORBOARD_LOG_DIR", "gs://bkt/job/logs/");
    env.put("CLOUD_ML_JOB_ID", "1234");
    env.put("TUNE_GCS_FUSE_ROOT", gcs.toString());
    env.put("TUNE_WORK_DIR", dir.resolve("work").toString());

    int code = train(env, "train", "--contract", "vertex", "--spec", "gs://bkt/job/spec.json");

    assertThat(code).as("stderr: %s", err()).isZero();
    Path job = bucket.resolve("job");
    assertThat(job.resolve("model/config.json")).isRegularFile();
    assertThat(job.resolve("checkpoints/checkpoint-2")).isDirectory();
    assertThat(job.resolve("output/adapter/adapter_config.json")).isRegularFile();
    assertThat(job.resolve("output/metrics.json")).isRegularFile();
    assertThat(out()).contains("job vertex:1234");
  }

  @Test
  void vertexWithoutAModelDirSaysWhatToSet() {
    int code = train(Map.of(), "train", "--contract", "vertex", "--spec-json", "{}");

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("AIP_MODEL_DIR", "baseOutputDirectory");
  }

  @Test
  void anUnknownOptionIsRefusedWithTheUsage() {
    assertThat(train(Map.of(), "train", "--contract", "local", "--bogus", "1")).isEqualTo(2);
    assertThat(err()).contains("--bogus", "usage: train");
  }

  private static void writeHyperparameters(Path config, Map<String, String> flat)
      throws IOException {
    ObjectNode node = JSON.createObjectNode();
    flat.forEach(node::put);
    JSON.writeValue(config.resolve("hyperparameters.json").toFile(), node);
  }

  private static Map<String, String> sageMakerEnv(Path ml) {
    Map<String, String> env = new HashMap<>();
    env.put("TRAINING_JOB_NAME", "tiny-job-1");
    env.put("SM_MODEL_DIR", ml.resolve("model").toString());
    env.put("SM_INPUT_DIR", ml.resolve("input").toString());
    env.put("SM_OUTPUT_DIR", ml.resolve("output").toString());
    env.put("SM_CHECKPOINT_DIR", ml.resolve("checkpoints").toString());
    return env;
  }
}
