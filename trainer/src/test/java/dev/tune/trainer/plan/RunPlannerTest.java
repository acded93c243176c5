package dev.tune.trainer.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.ErrorKind;
import dev.tune.trainer.model.ModelConfig;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Plans for two public models from their config.json, against real instance types. */
class RunPlannerTest {

  private final RunPlanner planner = RunPlanner.defaults();
  private final RunShape run = RunShape.builder().seqLen(1024).build();

  static ModelConfig config(String name) {
    try {
      return ModelConfig.read(
          Path.of(
              Objects.requireNonNull(RunPlannerTest.class.getResource("/plan/" + name)).toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void mistral7bHasItsPublishedParameterCount() {
    assertThat(ModelShapes.of(config("mistral-7b-v0.1")).parameterCount())
        .isEqualTo(7_241_732_096L);
  }

  @Test
  void mistral7bFitsOne24GbGpu() {
    RunPlan plan = planner.plan(config("mistral-7b-v0.1"), run, DeviceBudget.parseGpus("1x24GB"));
    assertThat(plan.fits()).isTrue();
    // NF4 projections (about 0.52 bytes per parameter) plus float32 embeddings and a float16 head
    assertThat(plan.weightsBytes()).isBetween(4_200_000_000L, 4_500_000_000L);
    assertThat(plan.placement().deviceMap()).containsEntry("model.layers.31", "cuda:0");
    assertThat(plan.placement().largestPeak()).isLessThan(24_000_000_000L);
  }

  @Test
  void falcon40bFitsAG5TwelveXlargeSpreadOverItsGpus() {
    InstanceType g5 = planner.catalog().find("ml.g5.12xlarge").orElseThrow();
    assertThat(g5.gpus()).isEqualTo(4);
    RunPlan plan = planner.plan(config("falcon-40b"), run, g5.devices());
    assertThat(plan.fits()).isTrue();
    var map = plan.placement().deviceMap();
    assertThat(map).hasSize(62);
    assertThat(map.get("transformer.word_embeddings+lm_head")).isEqualTo("cuda:0");
    assertThat(map.get("transformer.h.59")).isEqualTo(map.get("transformer.ln_f"));
    assertThat(plan.placement().devices()).filteredOn(DevicePlan::used).hasSizeGreaterThan(1);
    for (DevicePlan d : plan.placement().devices()) {
      assertThat(d.peakBytes()).isLessThanOrEqualTo(d.device().budgetBytes());
    }
  }

  @Test
  void falcon40bOnOne24GbGpuIsRefusedWithAlternatives() {
    ModelConfig falcon = config("falcon-40b");
    List<DeviceBudget> one = DeviceBudget.parseGpus("24GiB");
    assertThat(planner.plan(falcon, run, one).fits()).isFalse();
    assertThatThrownBy(() -> planner.check(falcon, run, one))
        .isInstanceOfSatisfying(
            RunDoesNotFitException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.QUOTA);
              assertThat(e.exitCode()).isEqualTo(5);
              assertThat(e.getMessage()).contains("does not fit");
              assertThat(e.alternatives()).isNotEmpty();
              assertThat(e.alternatives()).allMatch(o -> o.plan().fits());
              assertThat(e.alternatives())
                  .isSortedAccordingTo(
                      (a, b) -> Double.compare(a.instance().hourlyUsd(), b.instance().hourlyUsd()));
              assertThat(e.alternatives())
                  .noneMatch(
                      o -> o.instance().gpus() == 1 && o.instance().gpuMemoryBytes() < 24L << 30);
              assertThat(e.fix()).contains(e.alternatives().get(0).instance().name());
            });
  }

  @Test
  void costOrderFollowsTheTokenCount() {
    List<InstanceOption> options =
        planner.fittingInstances(config("mistral-7b-v0.1"), run, OptionalLong.of(10_000_000));
    assertThat(options).isNotEmpty();
    assertThat(options).allMatch(o -> o.costUsd().isPresent() && o.hours().isPresent());
    assertThat(options)
        .isSortedAccordingTo(
            (a, b) -> Double.compare(a.costUsd().getAsDouble(), b.costUsd().getAsDouble()));
    InstanceOption first = options.get(0);
    assertThat(first.costUsd().getAsDouble())
        .isCloseTo(
            first.hours().getAsDouble() * first.instance().hourlyUsd(),
            org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void checkpointingIsWhatLetsMistralFitAtLongSequences() {
    RunShape longRun = RunShape.builder().seqLen(4096).build();
    List<DeviceBudget> one = DeviceBudget.parseGpus("24GB");
    ModelConfig mistral = config("mistral-7b-v0.1");
    long with = planner.plan(mistral, longRun, one).estimate().singleDevicePeak();
    long without =
        planner
            .plan(mistral, longRun.toBuilder().gradientCheckpointing(false).build(), one)
            .estimate()
            .singleDevicePeak();
    assertThat(without).isGreaterThan(3 * with);
  }
}
