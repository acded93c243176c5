package dev.tune.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.InvalidSpecException;
import dev.tune.core.error.SpecViolation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrainSpecTest {

  @Test
  void trainingArgumentsDefaultToTransformersTrainer() {
    TrainingArguments t = TrainingArguments.defaults();

    assertThat(t.learningRate()).isEqualTo(5e-5);
    assertThat(t.numTrainEpochs()).isEqualTo(3.0);
    assertThat(t.maxSteps()).isEqualTo(-1);
    assertThat(t.perDeviceTrainBatchSize()).isEqualTo(8);
    assertThat(t.perDeviceEvalBatchSize()).isEqualTo(8);
    assertThat(t.gradientAccumulationSteps()).isEqualTo(1);
    assertThat(t.warmupSteps()).isZero();
    assertThat(t.warmupRatio()).isZero();
    assertThat(t.lrSchedulerType()).isEqualTo(LrSchedulerType.LINEAR);
    assertThat(t.optim()).isEqualTo(Optimizer.ADAMW_TORCH);
    assertThat(t.weightDecay()).isZero();
    assertThat(t.adamBeta1()).isEqualTo(0.9);
    assertThat(t.adamBeta2()).isEqualTo(0.999);
    assertThat(t.adamEpsilon()).isEqualTo(1e-8);
    assertThat(t.maxGradNorm()).isEqualTo(1.0);
    assertThat(t.bf16()).isFalse();
    assertThat(t.fp16()).isFalse();
    assertThat(t.gradientCheckpointing()).isFalse();
    assertThat(t.seed()).isEqualTo(42);
    assertThat(t.loggingSteps()).isEqualTo(500);
    assertThat(t.saveSteps()).isEqualTo(500);
    assertThat(t.evalSteps()).isEqualTo(500);
  }

  @Test
  void evalStepsFollowLoggingStepsUnlessSet() {
    assertThat(TrainingArguments.builder().loggingSteps(10).build().evalSteps()).isEqualTo(10);
    assertThat(TrainingArguments.builder().loggingSteps(10).evalSteps(50).build().evalSteps())
        .isEqualTo(50);
  }

  @Test
  void warmupStepsWinOverRatioAsInTrainer() {
    assertThat(TrainingArguments.builder().warmupRatio(0.1).build().warmupStepsFor(95))
        .isEqualTo(10);
    assertThat(
            TrainingArguments.builder().warmupRatio(0.1).warmupSteps(3).build().warmupStepsFor(95))
        .isEqualTo(3);
  }

  @Test
  void toBuilderRoundTrips() {
    TrainingArguments t =
        TrainingArguments.builder()
            .learningRate(2e-4)
            .optim(Optimizer.PAGED_ADAMW_8BIT)
            .bf16(true)
            .build();

    assertThat(t.toBuilder().build()).isEqualTo(t);
    assertThat(t.toBuilder().seed(7).build().seed()).isEqualTo(7);
  }

  @Test
  void everyBrokenHyperparameterIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                TrainingArguments.builder()
                    .learningRate(0)
                    .maxSteps(0)
                    .warmupRatio(1.5)
                    .bf16(true)
                    .fp16(true)
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(SpecViolation::key)
                    .containsExactly("learning_rate", "max_steps", "warmup_ratio", "fp16"));
  }

  @Test
  void loraFollowsPeftDefaultsAndRules() {
    assertThat(LoraSpec.defaults()).isEqualTo(new LoraSpec(8, 8, 0.0, List.of()));
    assertThat(new LoraSpec(16, 32, 0.05, List.of("all-linear")).targetsAllLinear()).isTrue();
    assertThatThrownBy(() -> new LoraSpec(0, 8, 1.0, List.of("q_proj", "q_proj", "bad name")))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(SpecViolation::key)
                    .containsExactly("r", "dropout", "target_modules", "target_modules"));
    assertThatThrownBy(() -> new LoraSpec(8, 8, 0, List.of("all-linear", "q_proj")))
        .isInstanceOf(InvalidSpecException.class);
  }

  @Test
  void builderAppliesQloraAndDefaultsAroundRequiredParts() {
    TrainSpec spec =
        TrainSpec.builder()
            .model(BaseModel.of(ArtifactUri.parse("hf://org/base@main")))
            .data(DataSpec.of(ArtifactUri.parse("/data/train.jsonl")))
            .output(OutputSpec.named("support-bot"))
            .build();

    assertThat(spec.quantization()).isEqualTo(QuantizationSpec.qlora());
    assertThat(spec.quantization().quantType()).isEqualTo(QuantType.NF4);
    assertThat(spec.lora()).isEqualTo(LoraSpec.defaults());
    assertThat(spec.training()).isEqualTo(TrainingArguments.defaults());
    assertThat(spec.data().maxSeqLength()).isEqualTo(1024);
    assertThat(spec.output().mergeAdapter()).isTrue();
    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    assertThatThrownBy(() -> TrainSpec.builder().build()).isInstanceOf(NullPointerException.class);
  }

  @Test
  void outputNameMustWorkOnEveryProvider() {
    assertThatThrownBy(() -> OutputSpec.named("my_model"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("name = my_model");
    assertThat(OutputSpec.named("m-1").name()).isEqualTo("m-1");
  }

  @Test
  void secretNeverShowsItsValue() {
    BaseModel model =
        new BaseModel(
            ArtifactUri.parse("hf://org/gated@main"), Optional.of(new Secret("hf_abc123")));

    assertThat(model.toString()).doesNotContain("hf_abc123").contains("****");
    assertThat(model.token().orElseThrow().value()).isEqualTo("hf_abc123");
  }

  @Test
  void dataSpecRulesAreReportedTogether() {
    ArtifactUri train = ArtifactUri.parse("s3://bucket/train.jsonl");
    assertThatThrownBy(
            () ->
                DataSpec.builder(train)
                    .eval(ArtifactUri.parse("s3://bucket/eval.jsonl"))
                    .evalSplit(0.1)
                    .maxSeqLength(0)
                    .textField(" ")
                    .promptTemplate("### Instruction:\n{instruction}")
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(SpecViolation::key)
                    .containsExactly(
                        "max_seq_length", "text_field", "prompt_template", "eval_split"));
    assertThatThrownBy(() -> DataSpec.builder(train).evalSplit(1.0).build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .singleElement()
                    .satisfies(v -> assertThat(v.expected()).contains("< 1")));
  }

  @Test
  void dataSpecBuilderRoundTripsAndKeepsTheShortConstructor() {
    ArtifactUri train = ArtifactUri.parse("s3://bucket/train.jsonl");
    DataSpec spec =
        DataSpec.builder(train)
            .format(DataFormat.CHAT)
            .packing(true)
            .truncationSide(TruncationSide.LEFT)
            .evalSplit(0.2)
            .build();

    assertThat(spec.toBuilder().build()).isEqualTo(spec);
    assertThat(new DataSpec(train, Optional.empty(), DataFormat.AUTO, 1024))
        .isEqualTo(DataSpec.of(train));
    assertThat(DataSpec.of(train).completionOnlyLoss()).isTrue();
  }
}
