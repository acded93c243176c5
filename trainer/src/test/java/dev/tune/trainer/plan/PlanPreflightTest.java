package dev.tune.trainer.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.QuotaException;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.PreflightVerdict;
import dev.tune.core.train.TrainPreflight;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The check {@code tune train} runs before submitting, on the published config.json of Mistral-7B
 * and Falcon-40B against real machine types.
 */
class PlanPreflightTest {

  private static final MachineSpec G5_2XL = MachineSpec.builder("ml.g5.2xlarge").build();

  private final PlanPreflight preflight =
      new PlanPreflight(FitCheck.defaults(), PlanPreflightTest::noStorage);

  // Local models need no storage; asking for it here would be a bug.
  private static Storage noStorage() {
    throw new AssertionError("the preflight fetched a local model through storage");
  }

  static Path modelDir(String name) {
    try {
      return Path.of(
          Objects.requireNonNull(PlanPreflightTest.class.getResource("/plan/" + name)).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A usual QLoRA recipe: 4 examples of 1024 tokens per step, gradient checkpointing. */
  static TrainSpec spec(String model) {
    return TrainSpec.builder()
        .model(BaseModel.of(ArtifactUri.parse(modelDir(model).toString())))
        .data(
            DataSpec.builder(ArtifactUri.parse("s3://bucket/train.jsonl"))
                .maxSeqLength(1024)
                .build())
        .training(
            TrainingArguments.builder()
                .perDeviceTrainBatchSize(4)
                .gradientCheckpointing(true)
                .build())
        .output(OutputSpec.named("bot"))
        .build();
  }

  @Test
  void falcon40bOnOneA10gIsRefusedWithTheNeedTheOfferAndTheAlternatives() {
    assertThatThrownBy(() -> preflight.check(spec("falcon-40b"), "sagemaker", G5_2XL))
        .isInstanceOfSatisfying(
            RunDoesNotFitException.class,
            e -> {
              assertThat(e).isInstanceOf(QuotaException.class);
              assertThat(e.exitCode()).isEqualTo(5);
              assertThat(e.getMessage())
                  .contains(
                      "falcon-40b on ml.g5.2xlarge (1 x NVIDIA A10G) does not fit",
                      "the run needs about",
                      "(offered: cuda:0 22.5 GiB)");
              assertThat(e.alternatives()).isNotEmpty().allMatch(o -> o.plan().fits());
              InstanceOption cheapest = e.alternatives().get(0);
              assertThat(cheapest.instance().gpus() * cheapest.instance().gpuMemoryBytes())
                  .isGreaterThan(e.plan().estimate().weightsBytes());
              assertThat(e.fix()).contains("it fits on " + cheapest.instance().name() + " ($");
              // SageMaker's machines first: the user can switch to them without a new provider
              assertThat(cheapest.instance().provider()).isEqualTo("sagemaker");
              assertThat(e.alternatives())
                  .filteredOn(o -> o.instance().provider().equals("sagemaker"))
                  .isSortedAccordingTo(
                      (a, b) -> Double.compare(a.instance().hourlyUsd(), b.instance().hourlyUsd()));
              assertThat(e.alternatives()).anyMatch(o -> o.instance().provider().equals("vertex"));
            });
  }

  @Test
  void mistral7bOnOneA10gFitsAndSaysWhatItTakes() {
    PreflightVerdict verdict = preflight.check(spec("mistral-7b-v0.1"), "sagemaker", G5_2XL);

    assertThat(verdict.checked()).isTrue();
    assertThat(verdict.summary())
        .contains("mistral-7b-v0.1 fits ml.g5.2xlarge: cuda:0 ")
        .contains(" of 22.5 GiB (");
  }

  @Test
  void aVertexN1MachineIsFoundByItsAttachedGpus() {
    MachineSpec n1 = MachineSpec.builder("n1-standard-8").accelerator("NVIDIA_TESLA_T4", 1).build();
    MachineSpec g2 = MachineSpec.builder("g2-standard-8").accelerator("NVIDIA_L4", 1).build();

    assertThat(preflight.instance(n1)).map(InstanceType::name).contains("n1-standard-8+1xT4");
    assertThat(preflight.instance(g2)).map(InstanceType::name).contains("g2-standard-8");
    assertThatThrownBy(() -> preflight.check(spec("falcon-40b"), "vertex", n1))
        .isInstanceOf(RunDoesNotFitException.class)
        .hasMessageContaining("on n1-standard-8+1xT4 (1 x ");
  }

  @Test
  void runsItCannotJudgeGoThroughSayingWhy() {
    TrainSpec falcon = spec("falcon-40b");

    PreflightVerdict local = preflight.check(falcon, "local", MachineSpec.providerDefault());
    PreflightVerdict chosen = preflight.check(falcon, "sagemaker", MachineSpec.providerDefault());
    PreflightVerdict unknown =
        preflight.check(falcon, "sagemaker", MachineSpec.builder("ml.g9.huge").build());
    PreflightVerdict noConfig =
        preflight.check(
            spec("falcon-40b").toBuilder()
                .model(BaseModel.of(ArtifactUri.parse(modelDir("falcon-40b") + "/missing")))
                .build(),
            "sagemaker",
            G5_2XL);

    assertThat(local.checked()).isFalse();
    assertThat(local.summary()).contains("local training process checks the fit");
    assertThat(chosen.checked()).isFalse();
    assertThat(chosen.summary()).contains("sagemaker chooses the machine");
    assertThat(unknown.checked()).isFalse();
    assertThat(unknown.summary()).contains("ml.g9.huge is not in tune's instance table");
    assertThat(noConfig.checked()).isFalse();
    assertThat(noConfig.summary()).contains("cannot read", "missing");
  }

  @Test
  void serviceLoaderFindsIt() {
    assertThat(TrainPreflight.discover()).hasAtLeastOneElementOfType(PlanPreflight.class);
  }
}
