package dev.tune.container.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.model.ModelPlacement;
import dev.tune.trainer.plan.DeviceBudget;
import dev.tune.trainer.plan.FitCheck;
import dev.tune.trainer.plan.RunDoesNotFitException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The train entrypoint's check over the GPUs it sees, with invented GPU sets (no GPU is needed) and
 * the published config.json of Falcon-40B and Mistral-7B from the trainer's test resources.
 */
class GpuFitCheckTest {
  private static final Path CONFIGS =
      Path.of("..", "trainer", "src", "test", "resources", "plan").toAbsolutePath().normalize();

  private final GpuFitCheck check = new GpuFitCheck(FitCheck.defaults());
  private final List<String> log = new ArrayList<>();

  /** 1024-token examples with gradient checkpointing, {@code batch} of them per step. */
  private static TrainSpec spec(String model, int batch) {
    return TrainSpec.builder()
        .model(BaseModel.of(ArtifactUri.parse("hf://org/" + model)))
        .data(
            DataSpec.builder(ArtifactUri.parse("s3://bucket/train.jsonl"))
                .maxSeqLength(1024)
                .build())
        .training(
            TrainingArguments.builder()
                .perDeviceTrainBatchSize(batch)
                .gradientCheckpointing(true)
                .build())
        .output(OutputSpec.named("bot"))
        .build();
  }

  private static Supplier<ModelConfig> config(String model) {
    return () -> ModelConfig.read(CONFIGS.resolve(model));
  }

  @Test
  void falcon40bOnOne24GbGpuIsRefusedAsTheJobsFailure() {
    assertThatThrownBy(
            () ->
                check.check(
                    spec("falcon-40b", 1),
                    config("falcon-40b"),
                    DeviceBudget.parseGpus("24GB"),
                    log::add))
        .isInstanceOfSatisfying(
            RunDoesNotFitException.class,
            e -> {
              FailureReason reason = FailureReason.of(e);
              assertThat(reason.exitCode()).isEqualTo(5);
              assertThat(reason.text())
                  .startsWith(
                      "quota: hf://org/falcon-40b@main on this machine's 1 GPU does not fit: ")
                  .contains("(offered: cuda:0 22.4 GiB)", "Fix: ", "it fits on ");
            });
    assertThat(log).isEmpty();
  }

  @Test
  void falcon40bSpreadsOverFour24GbGpusAsThePlanSaysAndThePlanIsLogged() {
    ModelPlacement placement =
        check
            .check(
                spec("falcon-40b", 1),
                config("falcon-40b"),
                DeviceBudget.parseGpus("4x24GB"),
                log::add)
            .orElseThrow();

    assertThat(placement.devices())
        .containsExactly(Device.gpu(0), Device.gpu(1), Device.gpu(2), Device.gpu(3));
    assertThat(placement.embeddings()).isZero();
    assertThat(placement.layers()).hasSize(60).isSorted().contains(0, 1, 2, 3);
    assertThat(placement.finalNorm()).isEqualTo(3);
    assertThat(log.get(0)).startsWith("memory plan: fits; cuda:0 ").contains("; cuda:3 ");
    assertThat(log)
        .hasSize(5)
        .element(4)
        .asString()
        .startsWith("memory plan: cuda:3 holds transformer.h.")
        .endsWith(" .. transformer.ln_f");
  }

  @Test
  void oneGpuKeepsTheTrainersDefaultDeviceUnlessThePlanSkipsIt() {
    assertThat(
            check.check(
                spec("mistral-7b-v0.1", 4),
                config("mistral-7b-v0.1"),
                DeviceBudget.parseGpus("24GB"),
                log::add))
        .isEmpty();
    assertThat(log.get(0)).startsWith("memory plan: fits; cuda:0 ");

    ModelPlacement skipsTheSmallGpu =
        check
            .check(
                spec("mistral-7b-v0.1", 4),
                config("mistral-7b-v0.1"),
                DeviceBudget.parseGpus("1GiB,24GiB"),
                log::add)
            .orElseThrow();
    assertThat(skipsTheSmallGpu.devices()).containsExactly(Device.gpu(1));
    assertThat(log).anyMatch(l -> l.contains("cuda:0 unused; cuda:1 "));
  }

  @Test
  void aCpuRunIsNotPlanned() {
    Supplier<ModelConfig> unread =
        () -> {
          throw new AssertionError("a CPU run read the model config");
        };
    assertThat(check.check(spec("mistral-7b-v0.1", 4), unread, List.of(), log::add)).isEmpty();
    assertThat(log).singleElement().asString().contains("no GPU visible");
  }
}
