package dev.tune.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.RemoteFailureException;
import dev.tune.core.error.TuneTimeoutException;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.StateChanged;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.ProviderRegistry;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.testprovider.ScriptedProvider;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TuneTest {
  private static final TrainSpec SPEC =
      TrainSpec.builder()
          .model(BaseModel.of(ArtifactUri.parse("hf://org/base@main")))
          .data(DataSpec.of(ArtifactUri.parse("s3://bucket/train.jsonl")))
          .output(OutputSpec.named("bot"))
          .build();

  private final ScriptedProvider provider = new ScriptedProvider();

  private Tune connect() {
    return Tune.connect(
        ProviderRegistry.of(List.of(provider)), ProviderSettings.defaults(ScriptedProvider.NAME));
  }

  @Test
  void serviceLoaderFindsTheProviderRegisteredOnTheClasspath() {
    assertThat(ProviderRegistry.discover().names()).contains(ScriptedProvider.NAME);
    assertThat(Tune.availableProviders()).contains(ScriptedProvider.NAME);

    try (Tune tune = Tune.provider(ScriptedProvider.NAME)) {
      assertThat(tune.providerName()).isEqualTo(ScriptedProvider.NAME);
      assertThat(tune.jobs().list()).isEmpty();
    }
  }

  @Test
  void unknownProviderNamesTheProvidersFound() {
    assertThatThrownBy(() -> Tune.provider("vertx"))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo("Unknown provider 'vertx'. Providers on the classpath: scripted.");
              assertThat(e.fix()).contains("scripted");
              assertThat(e.exitCode()).isEqualTo(2);
            });
  }

  @Test
  void emptyRegistrySaysSo() {
    assertThatThrownBy(() -> ProviderRegistry.of(List.of()).get("local"))
        .hasMessageContaining("No providers are on the classpath")
        .isInstanceOfSatisfying(
            BadInputException.class, e -> assertThat(e.fix()).contains("tune-cloud-local"));
  }

  @Test
  void duplicateProviderNamesAreAnError() {
    assertThatThrownBy(
            () -> ProviderRegistry.of(List.of(new ScriptedProvider(), new ScriptedProvider())))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Two providers on the classpath are named 'scripted'");
  }

  @Test
  void trainAwaitReportsEachStateAndReturnsTheFinalDescription() throws Exception {
    List<ProgressEvent> events = new ArrayList<>();
    try (Tune tune = connect()) {
      TrainingJob job = tune.train(SPEC);
      JobDescription done = job.await(events::add);

      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.output()).contains(ArtifactUri.parse("s3://bucket/models/bot-1"));
      assertThat(events)
          .map(e -> ((StateChanged) e).state())
          .containsExactly("PENDING", "RUNNING", "SUCCEEDED");
      assertThat(events).allMatch(e -> e.resource().equals(job.ref()));
      assertThat(provider.lastClient().trainMachines())
          .containsExactly(MachineSpec.providerDefault());
    }
  }

  @Test
  void failedJobAwaitThrowsRemoteFailureWithTheReason() {
    provider.scriptJob(JobState.PENDING, JobState.FAILED).failWith("CUDA out of memory");
    try (Tune tune = connect()) {
      TrainingJob job = tune.train(SPEC, MachineSpec.builder("ml.g5.xlarge").build());

      assertThatThrownBy(() -> job.await(e -> {}))
          .isInstanceOfSatisfying(
              RemoteFailureException.class,
              e -> {
                assertThat(e.getMessage()).contains("failed: CUDA out of memory");
                assertThat(e.fix()).contains("tune jobs logs " + job.ref().id());
                assertThat(e.exitCode()).isEqualTo(6);
              });
    }
  }

  @Test
  void awaitGivesUpAfterTheTimeout() {
    provider.scriptJob(JobState.RUNNING);
    try (Tune tune = connect()) {
      TrainingJob job = tune.withPollInterval(Duration.ofMillis(5)).train(SPEC);

      assertThatThrownBy(() -> job.await(e -> {}, Duration.ofMillis(50)))
          .isInstanceOfSatisfying(
              TuneTimeoutException.class,
              e -> {
                assertThat(e.getMessage()).contains("still RUNNING");
                assertThat(e.exitCode()).isEqualTo(7);
              });
    }
  }

  @Test
  void jobOperationsReachTheProvider() throws Exception {
    try (Tune tune = connect()) {
      JobRef ref = tune.train(SPEC).ref();
      List<String> lines = new ArrayList<>();

      tune.jobs().logs(ref, false, line -> lines.add(line.text()));
      tune.jobs().cancel(ref);

      assertThat(lines).containsExactly("step 1 loss 2.5", "step 2 loss 2.1");
      assertThat(provider.lastClient().cancelled()).containsExactly(ref);
      assertThat(tune.jobs().list()).extracting(JobDescription::ref).containsExactly(ref);
      assertThat(tune.jobs().attach(ref).await(e -> {}).state()).isEqualTo(JobState.SUCCEEDED);
      assertThatThrownBy(() -> tune.jobs().describe(new JobRef(ScriptedProvider.NAME, "nope")))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void resumingOnAProviderThatCannotResumeSaysSo() {
    try (Tune tune = connect()) {
      JobRef ref = tune.train(SPEC).ref();

      assertThatThrownBy(() -> tune.jobs().resume(ref))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("cannot be resumed");
    }
  }

  @Test
  void refsOfAnotherProviderAreRejected() {
    try (Tune tune = connect()) {
      assertThatThrownBy(() -> tune.jobs().describe(new JobRef("sagemaker", "job-1")))
          .isInstanceOfSatisfying(
              BadInputException.class,
              e -> {
                assertThat(e.getMessage()).contains("belongs to provider 'sagemaker'");
                assertThat(e.fix()).isEqualTo("Use --provider sagemaker for it.");
              });
    }
  }

  @Test
  void registerDeployPredictAndDelete() throws Exception {
    List<ProgressEvent> events = new ArrayList<>();
    try (Tune tune = connect()) {
      ModelRef model = tune.register(new RegisterSpec("bot", ArtifactUri.parse("s3://bucket/m")));
      Deployment deployment =
          tune.deploy(DeploySpec.builder().model(model).endpointName("bot-endpoint").build());
      EndpointDescription serving = deployment.await(events::add);

      assertThat(serving.state()).isEqualTo(EndpointState.IN_SERVICE);
      assertThat(events).hasSize(2);
      assertThat(tune.predict(serving.ref(), Prompt.of("hi")).text()).isEqualTo("HI");
      assertThat(tune.predict(serving.ref(), List.of(Prompt.of("a"), Prompt.of("b"))))
          .extracting(p -> p.text())
          .containsExactly("A", "B");
      assertThat(tune.models().list()).hasSize(1);

      tune.endpoints().delete(serving.ref());
      tune.models().delete(model);
      assertThat(tune.endpoints().list()).isEmpty();
      assertThat(tune.models().list()).isEmpty();
      assertThat(tune.upload(Path.of("/tmp/out/model"), ArtifactUri.parse("s3://bucket/up")))
          .hasToString("s3://bucket/up/model");
    }
    assertThat(provider.lastClient().closed()).isTrue();
  }

  @Test
  void failedEndpointAwaitThrows() throws Exception {
    provider.scriptEndpoint(EndpointState.CREATING, EndpointState.FAILED).failWith("model too big");
    try (Tune tune = connect()) {
      ModelRef model = tune.register(new RegisterSpec("bot", ArtifactUri.parse("s3://bucket/m")));
      Deployment deployment =
          tune.deploy(DeploySpec.builder().model(model).endpointName("bot").build());

      assertThatThrownBy(() -> deployment.await(e -> {}))
          .isInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("failed to start: model too big");
    }
  }

  @Test
  void predictionCountMismatchIsARemoteFailure() {
    provider.dropOnePrediction();
    try (Tune tune = connect()) {
      ModelRef model = tune.register(new RegisterSpec("bot", ArtifactUri.parse("s3://bucket/m")));
      EndpointRef endpoint =
          tune.deploy(DeploySpec.builder().model(model).endpointName("bot").build()).ref();

      assertThatThrownBy(() -> tune.predict(endpoint, Prompt.of("x")))
          .isInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("answered 1 prompts with 0 predictions");
    }
  }

  @Test
  void logLinesKeepTheirText() {
    assertThat(new LogLine(java.time.Instant.EPOCH, "x").text()).isEqualTo("x");
  }
}
