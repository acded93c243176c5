package dev.tune.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.config.TuneConfigLoader;
import dev.tune.core.error.QuotaException;
import dev.tune.core.job.LogLine;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.ProviderRegistry;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.run.RunFailure;
import dev.tune.core.run.RunListener;
import dev.tune.core.run.RunPipeline;
import dev.tune.core.run.RunResult;
import dev.tune.core.run.RunStep;
import dev.tune.core.testprovider.ScriptedProvider;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.PreflightVerdict;
import dev.tune.core.train.TrainPreflight;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Tune#train} asks every {@link TrainPreflight} first; a refusal submits nothing. */
class TrainPreflightTest {
  private static final TrainSpec SPEC =
      TrainSpec.builder()
          .model(BaseModel.of(ArtifactUri.parse("hf://org/base@main")))
          .data(DataSpec.of(ArtifactUri.parse("s3://bucket/train.jsonl")))
          .output(OutputSpec.named("bot"))
          .build();

  private static final MachineSpec SMALL = MachineSpec.builder("ml.g5.2xlarge").build();
  private static final MachineSpec LARGE = MachineSpec.builder("ml.g5.12xlarge").build();

  @TempDir Path tmp;

  private final ScriptedProvider provider = new ScriptedProvider();
  private final List<String> asked = new ArrayList<>();

  /** Lets only ml.g5.12xlarge through, as a memory check of a large model would. */
  private final TrainPreflight onlyLarge =
      (spec, providerName, machine) -> {
        asked.add(providerName + " " + machine.type() + " " + spec.output().name());
        if (!machine.type().equals(LARGE.type())) {
          throw new QuotaException(
              "org/base on " + machine.type() + " does not fit", "it fits on " + LARGE.type());
        }
        return PreflightVerdict.fits("peak 80 GiB of 4 x 22.5 GiB");
      };

  private Tune connect() {
    return Tune.connect(
            ProviderRegistry.of(List.of(provider)),
            ProviderSettings.defaults(ScriptedProvider.NAME))
        .withPreflights(List.of(onlyLarge));
  }

  @Test
  void aRefusedRunIsNotSubmittedAndTheRefusalReachesTheCaller() {
    try (Tune tune = connect()) {
      assertThatThrownBy(() -> tune.train(SPEC, SMALL))
          .isInstanceOfSatisfying(
              QuotaException.class,
              e -> {
                assertThat(e.getMessage()).isEqualTo("org/base on ml.g5.2xlarge does not fit");
                assertThat(e.exitCode()).isEqualTo(5);
              });
      assertThat(provider.lastClient().trainMachines()).isEmpty();
      assertThat(tune.jobs().list()).isEmpty();
    }
    assertThat(asked).containsExactly("scripted ml.g5.2xlarge bot");
  }

  @Test
  void aRunThatPassesIsSubmittedWithTheVerdictOnTheJob() {
    try (Tune tune = connect()) {
      TrainingJob job = tune.train(SPEC, LARGE);

      assertThat(provider.lastClient().trainMachines()).containsExactly(LARGE);
      assertThat(job.preflight())
          .containsExactly(PreflightVerdict.fits("peak 80 GiB of 4 x 22.5 GiB"));
      assertThat(tune.jobs().attach(job.ref()).preflight()).isEmpty();
    }
    assertThat(asked).containsExactly("scripted ml.g5.12xlarge bot");
  }

  @Test
  void noPreflightsSubmitsUnchecked() {
    try (Tune tune = connect().withPreflights(List.of())) {
      assertThat(tune.train(SPEC, SMALL).preflight()).isEmpty();
      assertThat(provider.lastClient().trainMachines()).containsExactly(SMALL);
    }
    assertThat(asked).isEmpty();
  }

  @Test
  void theRunPipelineStopsAtTrainingWhenRefusedAndLogsTheVerdictWhenNot()
      throws IOException, InterruptedException {
    TrainPreflight refuseAll =
        (spec, providerName, machine) -> {
          throw new QuotaException("org/base does not fit " + machine.type(), "use more GPUs");
        };
    TrainPreflight judgeNothing =
        (spec, providerName, machine) -> PreflightVerdict.notChecked("machine unknown");
    TuneConfig config = config();
    List<String> lines = new ArrayList<>();
    RunListener listener =
        new RunListener() {
          @Override
          public void logLine(LogLine line) {
            lines.add(line.text());
          }
        };
    try (Tune tune =
        Tune.connect(ProviderRegistry.of(List.of(provider)), config.provider())
            .withPreflights(List.of(refuseAll))) {
      RunResult refused = RunPipeline.builder(tune, config).build().run(listener);

      RunFailure failure = refused.failure().orElseThrow();
      assertThat(failure.step()).isEqualTo(RunStep.TRAIN);
      assertThat(failure.cause()).isInstanceOf(QuotaException.class);
      assertThat(failure.cause().getMessage()).isEqualTo("org/base does not fit default");
      assertThat(refused.job()).isEmpty();
      assertThat(provider.lastClient().trainMachines()).isEmpty();

      RunResult passed =
          RunPipeline.builder(tune.withPreflights(List.of(judgeNothing)), config)
              .build()
              .run(listener);
      assertThat(passed.succeeded()).isTrue();
      assertThat(lines).startsWith("preflight: machine unknown");
    }
  }

  private TuneConfig config() throws IOException {
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
    return TuneConfigLoader.create().withEnvironment(Map.of()).load(file);
  }
}
