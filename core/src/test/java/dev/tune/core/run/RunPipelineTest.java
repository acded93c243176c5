package dev.tune.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.JobRef;
import dev.tune.core.ModelRef;
import dev.tune.core.Tune;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.config.TuneConfigLoader;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.ErrorKind;
import dev.tune.core.error.QuotaException;
import dev.tune.core.job.JobState;
import dev.tune.core.job.LogLine;
import dev.tune.core.model.ModelMetrics;
import dev.tune.core.model.SampleGeneration;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.provider.ProviderRegistry;
import dev.tune.core.testprovider.ScriptedProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunPipelineTest {
  private static final ModelMetrics METRICS =
      new ModelMetrics(
          Map.of("train_loss", 1.2),
          List.of(
              new SampleGeneration("Who are you?", "I am a language model.", "A bot. -- tune")));

  @TempDir Path tmp;

  private final ScriptedProvider provider = new ScriptedProvider().modelMetrics(METRICS);
  private TuneConfig config;
  private final Recorder recorder = new Recorder();

  @BeforeEach
  void writeConfig() throws IOException {
    Path file = tmp.resolve("tune.yaml");
    Files.writeString(
        file,
        """
        model:
          base: hf://org/base@main
        data:
          train: s3://bucket/train.jsonl
        output:
          name: bot
        provider:
          name: scripted
        """);
    config = TuneConfigLoader.create().withEnvironment(Map.of()).load(file);
  }

  private Tune connect() {
    return Tune.connect(ProviderRegistry.of(List.of(provider)), config.provider());
  }

  @Test
  void everyStepRunsAndTheSmokeAnswerStandsBesideTheBaseAnswer() throws InterruptedException {
    provider.logLines(
        "loading base model",
        "{\"type\":\"metrics\",\"step\":10,\"loss\":2.5,\"learning_rate\":0.0002}",
        "{\"type\":\"metrics\",\"step\":20,\"loss\":1.7,\"learning_rate\":0.0001}");
    RunResult result;
    try (Tune tune = connect()) {
      result = tune.run(config, recorder);
    }

    assertThat(result.succeeded()).isTrue();
    assertThat(result.job()).contains(new JobRef("scripted", "bot-1"));
    assertThat(result.trainedModel().orElseThrow()).hasToString("s3://bucket/models/bot-1");
    assertThat(result.model().orElseThrow().displayName()).isEqualTo("bot:1");
    assertThat(result.endpoint().orElseThrow().state()).isEqualTo(EndpointState.IN_SERVICE);
    SmokeTest smoke = result.smoke().orElseThrow();
    assertThat(smoke.prompt()).isEqualTo("Who are you?");
    assertThat(smoke.tunedAnswer()).isEqualTo("WHO ARE YOU?");
    assertThat(smoke.baseAnswer()).contains("I am a language model.");
    assertThat(result.endpointCommands())
        .containsExactly(
            "tune predict --provider scripted --endpoint bot \"your prompt\"",
            "tune endpoints delete --provider scripted bot --yes");

    assertThat(recorder.started)
        .containsExactly(RunStep.TRAIN, RunStep.REGISTER, RunStep.DEPLOY, RunStep.PREDICT);
    assertThat(recorder.finished).isEqualTo(recorder.started);
    assertThat(recorder.events.stream().filter(MetricsReported.class::isInstance))
        .map(e -> ((MetricsReported) e).step())
        .containsExactly(10L, 20L);
    assertThat(recorder.lines).extracting(LogLine::text).containsExactly("loading base model");
  }

  @Test
  void aFailedDeployKeepsTheRegisteredModelAndSaysHowToDeployIt() throws InterruptedException {
    provider.failDeploy(new QuotaException("No ml.g5 capacity.", "Ask for more quota."));
    RunResult result;
    try (Tune tune = connect()) {
      result = tune.run(config, recorder);
      assertThat(tune.models().list()).hasSize(1);
    }

    RunFailure failure = result.failure().orElseThrow();
    assertThat(failure.step()).isEqualTo(RunStep.DEPLOY);
    assertThat(failure.cause().kind()).isEqualTo(ErrorKind.QUOTA);
    assertThat(result.job()).isPresent();
    assertThat(result.model().orElseThrow().ref()).isEqualTo(new ModelRef("scripted", "bot@1"));
    assertThat(result.endpoint()).isEmpty();
    assertThat(result.smoke()).isEmpty();
    assertThat(failure.continueWith())
        .containsExactly("tune deploy --provider scripted --model bot:1");
    assertThat(recorder.finished).containsExactly(RunStep.TRAIN, RunStep.REGISTER);
  }

  @Test
  void anEndpointThatFailsToStartIsKeptSoThatItCanBeDeleted() throws InterruptedException {
    provider.scriptEndpoint(EndpointState.CREATING, EndpointState.FAILED);
    RunResult result;
    try (Tune tune = connect()) {
      result = tune.run(config, recorder);
    }

    assertThat(result.failure().orElseThrow().step()).isEqualTo(RunStep.DEPLOY);
    assertThat(result.endpoint().orElseThrow().state()).isEqualTo(EndpointState.FAILED);
    assertThat(result.failure().orElseThrow().continueWith())
        .containsExactly(
            "tune endpoints describe --provider scripted bot",
            "tune endpoints delete --provider scripted bot --yes",
            "tune deploy --provider scripted --model bot:1");
  }

  @Test
  void aFailedTrainingJobRegistersNothingAndSaysHowToResume() throws InterruptedException {
    provider.scriptJob(JobState.RUNNING, JobState.FAILED);
    RunResult result;
    try (Tune tune = connect()) {
      result = tune.run(config, recorder);
      assertThat(tune.models().list()).isEmpty();
    }

    RunFailure failure = result.failure().orElseThrow();
    assertThat(failure.step()).isEqualTo(RunStep.TRAIN);
    assertThat(failure.cause().getMessage()).contains("CUDA out of memory");
    assertThat(result.job()).contains(new JobRef("scripted", "bot-1"));
    assertThat(result.trainedModel()).isEmpty();
    assertThat(failure.continueWith())
        .containsExactly(
            "tune jobs logs --provider scripted bot-1",
            "tune train --provider scripted --resume bot-1",
            "tune run --provider scripted --job bot-1");
  }

  @Test
  void aFailedRegistrationKeepsTheJobOutputAndContinuesFromTheJob() throws InterruptedException {
    provider.failRegister(new ConflictException("Name bot is taken.", "Pick another name."));
    RunResult result;
    try (Tune tune = connect()) {
      result = tune.run(config, recorder);
    }

    assertThat(result.failure().orElseThrow().step()).isEqualTo(RunStep.REGISTER);
    assertThat(result.trainedModel().orElseThrow()).hasToString("s3://bucket/models/bot-1");
    assertThat(result.failure().orElseThrow().continueWith())
        .containsExactly("tune run --provider scripted --job bot-1");
  }

  @Test
  void aRunFromARegisteredModelSkipsTrainingAndTakesTheGivenPrompt() throws InterruptedException {
    RunResult result;
    try (Tune tune = connect()) {
      RunResult first = tune.run(config, RunListener.none());
      ModelRef model = first.model().orElseThrow().ref();
      tune.endpoints().delete(first.endpoint().orElseThrow().ref());

      result =
          RunPipeline.builder(tune, config)
              .fromModel(model)
              .prompt("hello there")
              .build()
              .run(recorder);
      assertThat(tune.jobs().list()).hasSize(1);
    }

    assertThat(recorder.started).containsExactly(RunStep.DEPLOY, RunStep.PREDICT);
    assertThat(result.job()).isEmpty();
    SmokeTest smoke = result.smoke().orElseThrow();
    assertThat(smoke.tunedAnswer()).isEqualTo("HELLO THERE");
    assertThat(smoke.baseAnswer()).as("no sample was made for this prompt").isEmpty();
  }

  private static final class Recorder implements RunListener {
    final List<RunStep> started = new ArrayList<>();
    final List<RunStep> finished = new ArrayList<>();
    final List<ProgressEvent> events = new ArrayList<>();
    final List<LogLine> lines = new ArrayList<>();

    @Override
    public void stepStarted(RunStep step) {
      started.add(step);
    }

    @Override
    public void stepFinished(RunStep step, RunResult soFar) {
      finished.add(step);
    }

    @Override
    public void logLine(LogLine line) {
      lines.add(line);
    }

    @Override
    public void onEvent(ProgressEvent event) {
      events.add(event);
    }
  }
}
