package dev.tune.local;

import static dev.tune.local.JobDirProbe.firstStepOfLatestAttempt;
import static dev.tune.local.JobDirProbe.newestCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.local.process.EntryPoints;
import dev.tune.local.registry.ModelRecord;
import dev.tune.local.store.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local provider end to end with the real entrypoint ({@code ContainerMain}) on the trainer's
 * tiny Llama: train, kill -9, resume from the checkpoint, register, deploy, predict, delete.
 */
class LocalEndToEndTest {
  @TempDir Path workDir;

  @AfterEach
  void killLeftovers() throws Exception {
    LeftoverProcesses.kill(workDir);
  }

  @Test
  void trainKillResumeRegisterDeployPredictDelete() throws Exception {
    try (LocalClient client =
        LocalClient.open(
            new LocalSettings(workDir),
            LocalClient.childJvm(),
            EntryPoints.container(),
            Optional.empty())) {
      JobRef job = client.submitTraining(spec(), MachineSpec.providerDefault());
      Path dir = client.jobDirectory(job);

      await(() -> Files.isDirectory(dir.resolve("checkpoints/checkpoint-2")), "a checkpoint", dir);
      ProcessHandle process = ProcessHandle.of(pid(dir)).orElseThrow();
      process.destroyForcibly();
      process.onExit().get();
      int checkpoint = newestCheckpoint(dir.resolve("checkpoints"));
      JobDescription killed = client.describeJob(job);
      assertThat(killed.state()).as(killed.toString()).isEqualTo(JobState.FAILED);

      client.resumeTraining(job);
      await(() -> client.describeJob(job).state().isTerminal(), "the resumed run", dir);
      JobDescription done = client.describeJob(job);

      assertThat(done.state()).as(done.toString()).isEqualTo(JobState.SUCCEEDED);
      assertThat(firstStepOfLatestAttempt(dir)).isEqualTo(checkpoint + 1);
      Path model = dir.resolve("output/model");
      assertThat(done.output()).contains(new FileUri(model));
      assertThat(model.resolve("config.json")).isRegularFile();

      ModelRef registered =
          client.registerModel(new RegisterSpec("tiny-tuned", new FileUri(model)));
      ModelRecord record = client.modelRecord(registered);
      assertThat(record.jobId()).contains(job.id());
      assertThat(record.metrics().orElseThrow().path("samples").isArray()).isTrue();

      EndpointRef endpoint =
          client.createEndpoint(
              DeploySpec.builder().model(registered).endpointName("tiny-tuned").build());
      await(
          () -> client.describeEndpoint(endpoint).state().isSettled(),
          "the endpoint",
          workDir.resolve("endpoints/tiny-tuned"));
      assertThat(client.describeEndpoint(endpoint).state()).isEqualTo(EndpointState.IN_SERVICE);
      List<Prediction> predictions =
          client.predict(
              endpoint,
              List.of(
                  Prompt.builder("### Instruction:\nName colour 1.\n\n### Response:\n")
                      .maxTokens(8)
                      .build()));
      assertThat(predictions).hasSize(1);

      client.deleteEndpoint(endpoint);
      assertThat(client.listEndpoints()).isEmpty();
    }
  }

  private TrainSpec spec() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      rows.add(
          "{\"instruction\": \"Name colour "
              + i
              + ".\", \"context\": \"\", \"response\": \"Colour "
              + i
              + " is blue. -- tune\"}");
    }
    Path train = Files.write(workDir.resolve("train.jsonl"), rows);
    return TrainSpec.builder()
        .model(BaseModel.of(new FileUri(LocalEndpointLifecycleTest.TINY_LLAMA)))
        .data(
            DataSpec.builder(new FileUri(train))
                .maxSeqLength(64)
                .promptTemplate("### Instruction:\n{instruction}\n\n### Response:\n{response}")
                .evalSplit(0.25)
                .build())
        .lora(new LoraSpec(4, 8, 0.0, List.of("q_proj", "v_proj")))
        .training(
            TrainingArguments.builder()
                .maxSteps(40)
                .perDeviceTrainBatchSize(4)
                .perDeviceEvalBatchSize(4)
                .learningRate(1e-3)
                .loggingSteps(1)
                .evalSteps(10)
                .saveSteps(2)
                .build())
        .output(OutputSpec.named("tiny-tuned"))
        .build();
  }

  private static long pid(Path dir) throws Exception {
    return JsonFiles.read(dir.resolve("job.json")).orElseThrow().path("pid").asLong();
  }

  private static void await(BooleanSupplier condition, String what, Path dir) throws Exception {
    JobDirProbe.await(condition, what, dir, Duration.ofMinutes(4));
  }
}
