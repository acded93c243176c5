package dev.tune.local;

import static dev.tune.local.JobDirProbe.firstStepOfLatestAttempt;
import static dev.tune.local.JobDirProbe.newestCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.provider.LocalContract;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.local.process.EntryPoints;
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
 * The local provider under the SageMaker and Vertex contracts, through the real entrypoint on the
 * trainer's tiny Llama: a job of each trains in its provider's container layout and reads as any
 * local job (the SageMaker one is cancelled and resumed on the way), its outputs are registered,
 * and each model is served on its contract's routes. Both contracts run side by side in one work
 * directory, to pay for the child JVMs once.
 */
class LocalContractEndToEndTest {
  private static final Prompt PROMPT =
      Prompt.builder("### Instruction:\nName colour 1.\n\n### Response:\n").maxTokens(4).build();

  @TempDir Path workDir;

  @AfterEach
  void killLeftovers() throws Exception {
    LeftoverProcesses.kill(workDir);
  }

  @Test
  void sageMakerAndVertexContractsTrainRegisterDeployAndPredict() throws Exception {
    try (LocalClient sageMaker = client(LocalContract.SAGEMAKER);
        LocalClient vertex = client(LocalContract.VERTEX)) {
      JobRef smJob = sageMaker.submitTraining(spec("tiny-sm", 40), MachineSpec.providerDefault());
      JobRef vxJob = vertex.submitTraining(spec("tiny-vx", 2), MachineSpec.providerDefault());
      Path smDir = sageMaker.jobDirectory(smJob);
      Path vxDir = vertex.jobDirectory(vxJob);

      // A cancel reaches the entrypoint, which stops after a checkpoint; the job resumes from it,
      // under its own contract whichever client resumes it.
      Path checkpoints = smDir.resolve("contract/checkpoints");
      await(() -> Files.isDirectory(checkpoints.resolve("checkpoint-2")), "a checkpoint", smDir);
      sageMaker.cancelJob(smJob);
      assertThat(sageMaker.describeJob(smJob).state()).isEqualTo(JobState.CANCELLED);
      int checkpoint = newestCheckpoint(checkpoints);
      vertex.resumeTraining(smJob);
      await(() -> sageMaker.describeJob(smJob).state().isTerminal(), "the SageMaker job", smDir);
      assertThat(firstStepOfLatestAttempt(smDir)).isEqualTo(checkpoint + 1);
      String log = Files.readString(smDir.resolve("train.log"));
      assertThat(log.split("running the sagemaker training contract locally", -1))
          .as("two attempts under SageMaker's contract:\n" + log)
          .hasSize(3);
      assertThat(log).doesNotContain("running the vertex training contract");
      await(() -> vertex.describeJob(vxJob).state().isTerminal(), "the Vertex job", vxDir);

      // Each ran in its provider's layout inside the job's directory...
      assertThat(smDir.resolve("contract/input/config/hyperparameters.json")).isRegularFile();
      assertThat(smDir.resolve("contract/input/data/train")).isDirectory();
      assertThat(vxDir.resolve("contract/gcs/spec.json")).isRegularFile();
      assertThat(vxDir.resolve("contract/checkpoints")).isDirectory();
      // ...and reads, from any client, as a finished local job with its outputs in output/.
      List<JobDescription> listed = sageMaker.listJobs();
      assertThat(listed).extracting(JobDescription::ref).containsExactlyInAnyOrder(smJob, vxJob);
      assertThat(listed).extracting(JobDescription::state).containsOnly(JobState.SUCCEEDED);
      for (Path dir : List.of(smDir, vxDir)) {
        Path output = dir.resolve("output");
        assertThat(output.resolve("model/config.json")).isRegularFile();
        assertThat(output.resolve("adapter")).isDirectory();
        assertThat(output.resolve("report.html")).isRegularFile();
        assertThat(output.resolve("logs")).isDirectory();
        assertThat(vertex.describeJob(new JobRef("local", dir.getFileName().toString())).output())
            .contains(new FileUri(output.resolve("model")));
        assertThat(lastEvent(dir).path("type").asText()).isEqualTo("done");
      }

      ModelRef smModel =
          sageMaker.registerModel(
              new RegisterSpec("tiny-sm", new FileUri(smDir.resolve("output/model"))));
      ModelRef vxModel =
          vertex.registerModel(
              new RegisterSpec("tiny-vx", new FileUri(vxDir.resolve("output/model"))));
      for (ModelRef model : List.of(smModel, vxModel)) {
        JsonNode metrics = sageMaker.modelRecord(model).metrics().orElseThrow();
        assertThat(metrics.path("samples").isArray()).as(metrics.toString()).isTrue();
        assertThat(metrics.path("final").path("train_loss").isNumber())
            .as(metrics.toString())
            .isTrue();
      }
      assertThat(sageMaker.modelRecord(smModel).jobId()).contains(smJob.id());

      EndpointRef smEndpoint =
          sageMaker.createEndpoint(
              DeploySpec.builder().model(smModel).endpointName("tiny-sm").build());
      EndpointRef vxEndpoint =
          vertex.createEndpoint(
              DeploySpec.builder().model(vxModel).endpointName("tiny-vx").build());
      Path endpoints = workDir.resolve("endpoints");
      await(
          () -> sageMaker.describeEndpoint(smEndpoint).state().isSettled(),
          "the SageMaker endpoint",
          endpoints.resolve("tiny-sm"));
      await(
          () -> vertex.describeEndpoint(vxEndpoint).state().isSettled(),
          "the Vertex endpoint",
          endpoints.resolve("tiny-vx"));

      EndpointDescription sm = sageMaker.describeEndpoint(smEndpoint);
      EndpointDescription vx = sageMaker.describeEndpoint(vxEndpoint);
      assertThat(sm.state()).isEqualTo(EndpointState.IN_SERVICE);
      assertThat(vx.state()).isEqualTo(EndpointState.IN_SERVICE);
      assertThat(sm.url().orElseThrow().getPath()).isEqualTo("/invocations");
      assertThat(vx.url().orElseThrow().getPath()).endsWith(":predict");
      assertThat(endpoints.resolve("tiny-sm/contract/model/config.json")).isRegularFile();
      assertThat(endpoints.resolve("tiny-vx/contract/model/config.json")).isRegularFile();
      List<Prediction> smAnswers = sageMaker.predict(smEndpoint, List.of(PROMPT));
      // Either client reaches an endpoint: the routes are in its record, not the client's setting.
      List<Prediction> vxAnswers = sageMaker.predict(vxEndpoint, List.of(PROMPT, PROMPT));
      assertThat(smAnswers).hasSize(1);
      assertThat(vxAnswers).hasSize(2);

      sageMaker.deleteEndpoint(smEndpoint);
      vertex.deleteEndpoint(vxEndpoint);
      assertThat(sageMaker.listEndpoints()).isEmpty();
    }
  }

  private LocalClient client(LocalContract contract) {
    return LocalClient.open(
        new LocalSettings(workDir).withContract(contract),
        LocalClient.childJvm(),
        EntryPoints.container(),
        Optional.empty());
  }

  private TrainSpec spec(String name, int steps) throws Exception {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      rows.add(
          "{\"instruction\": \"Name colour "
              + i
              + ".\", \"context\": \"\", \"response\": \"Colour "
              + i
              + " is blue.\"}");
    }
    Path train = Files.write(workDir.resolve(name + ".jsonl"), rows);
    return TrainSpec.builder()
        .model(BaseModel.of(new FileUri(LocalEndpointLifecycleTest.TINY_LLAMA)))
        .data(
            DataSpec.builder(new FileUri(train))
                .maxSeqLength(32)
                .promptTemplate("### Instruction:\n{instruction}\n\n### Response:\n{response}")
                .evalSplit(0.25)
                .build())
        .lora(new LoraSpec(4, 8, 0.0, List.of("q_proj", "v_proj")))
        .training(
            TrainingArguments.builder()
                .maxSteps(steps)
                .perDeviceTrainBatchSize(4)
                .perDeviceEvalBatchSize(4)
                .learningRate(1e-3)
                .loggingSteps(1)
                .evalSteps(2)
                .saveSteps(2)
                .build())
        .output(OutputSpec.named(name))
        .build();
  }

  private static JsonNode lastEvent(Path jobDir) throws Exception {
    List<String> lines = Files.readAllLines(jobDir.resolve("events.jsonl"));
    assertThat(lines).isNotEmpty();
    return JsonFiles.parse(lines.get(lines.size() - 1));
  }

  private static void await(BooleanSupplier condition, String what, Path dir) throws Exception {
    JobDirProbe.await(condition, what, dir, Duration.ofMinutes(5));
  }
}
