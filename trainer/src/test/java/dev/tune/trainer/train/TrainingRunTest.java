package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.tune.core.JobRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.model.ModelPlacement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The entry point the container calls: a spec, local paths and examples in; an adapter out. */
@ExtendWith(SingleThreadedTorch.class)
class TrainingRunTest {

  @TempDir Path out;

  private static TrainSpec spec(int maxSteps) {
    return TrainSpec.builder()
        .model(BaseModel.of(ArtifactUri.parse("hf://tune-tests/tiny-llama")))
        .data(DataSpec.of(ArtifactUri.parse("s3://bucket/train.jsonl")))
        .output(OutputSpec.named("tiny-llama-tuned"))
        .lora(TrainFixtures.ALL_LINEAR)
        .training(
            TrainingArguments.builder()
                .maxSteps(maxSteps)
                .perDeviceTrainBatchSize(4)
                .learningRate(1e-3)
                .loggingSteps(2)
                .evalSteps(2)
                .saveSteps(2)
                .build())
        .build();
  }

  @Test
  void trainsFromASpecAndReportsMetricsAsEvents() {
    JobRef job = new JobRef("local", "tiny-llama-tuned-1");
    List<ProgressEvent> events = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    TrainResult result =
        TrainingRun.builder(spec(4), job)
            .baseModelDir(TrainFixtures.fixture("llama"))
            .outputDir(out)
            .trainExamples(TrainFixtures.randomTexts(16, 1))
            .evalExamples(TrainFixtures.randomTexts(4, 2))
            .device(Device.cpu())
            .listener(events::add)
            .logSink(lines::add)
            .saveTotalLimit(1)
            .build()
            .run();

    assertThat(result.globalStep()).isEqualTo(4);
    assertThat(result.adapterDir()).isEqualTo(out);
    try (NDManager manager = NDManager.newBaseManager()) {
      PeftAdapterDir.Loaded adapter = PeftAdapterDir.load(out, manager);
      assertThat(adapter.config().baseModelNameOrPath()).isEqualTo("tune-tests/tiny-llama");
      assertThat(adapter.adapters()).hasSize(14);
    }
    assertThat(out.resolve("checkpoint-4")).isDirectory();
    assertThat(out.resolve("checkpoint-2")).doesNotExist();

    List<MetricsReported> metrics = events.stream().map(MetricsReported.class::cast).toList();
    assertThat(metrics).allSatisfy(e -> assertThat(e.resource()).isEqualTo(job));
    assertThat(metrics)
        .filteredOn(e -> e.metrics().containsKey("loss"))
        .extracting(MetricsReported::step)
        .containsExactly(2L, 4L);
    assertThat(metrics)
        .filteredOn(e -> e.metrics().containsKey("eval_loss"))
        .extracting(MetricsReported::step)
        .containsExactly(2L, 4L);
    assertThat(metrics.get(metrics.size() - 1).metrics()).containsKey("train_loss");
    assertThat(lines).contains("***** Running training *****");
    // QLoRA's bfloat16 compute cannot be had on the CPU: said once, in the run's log
    assertThat(lines)
        .filteredOn(l -> l.startsWith("WARNING: "))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("bfloat16", "float32"));
  }

  @Test
  void resumesFromTheNewestCheckpointOfTheOutputDirectory() {
    JobRef job = new JobRef("local", "tiny-llama-tuned-2");
    TrainingRun first =
        TrainingRun.builder(spec(4), job)
            .baseModelDir(TrainFixtures.fixture("llama"))
            .outputDir(out)
            .trainExamples(TrainFixtures.randomTexts(16, 1))
            .device(Device.cpu())
            .logSink(l -> {})
            .listener(
                e -> {
                  if (e instanceof MetricsReported m && m.step() == 4) {
                    throw new IllegalStateException("the spot instance went away");
                  }
                })
            .build();
    assertThatThrownBy(first::run).hasMessageContaining("spot instance");
    assertThat(out.resolve("checkpoint-2")).isDirectory();

    List<String> lines = new ArrayList<>();
    TrainResult result =
        TrainingRun.builder(spec(4), job)
            .baseModelDir(TrainFixtures.fixture("llama"))
            .outputDir(out)
            .trainExamples(TrainFixtures.randomTexts(16, 1))
            .device(Device.cpu())
            .logSink(lines::add)
            .build()
            .run();
    assertThat(lines).anyMatch(l -> l.startsWith("Resuming from ") && l.endsWith("at step 2"));
    assertThat(result.globalStep()).isEqualTo(4);
  }

  @Test
  void aPlacedRunTrainsAsTheSingleDeviceRunDoes() {
    TrainResult single = run(Optional.empty(), out.resolve("single"));
    TrainResult placed =
        run(
            Optional.of(
                new ModelPlacement(List.of(Device.cpu(), Device.cpu()), 0, List.of(0, 1), 1, 1)),
            out.resolve("placed"));

    assertThat(placed.globalStep()).isEqualTo(4);
    assertThat(placed.trainLoss()).isEqualTo(single.trainLoss());
    assertThat(placed.evalLoss()).isEqualTo(single.evalLoss());
  }

  private static TrainResult run(Optional<ModelPlacement> placement, Path dir) {
    TrainingRun.Builder builder =
        TrainingRun.builder(spec(4), new JobRef("local", "tiny-llama-placed"))
            .baseModelDir(TrainFixtures.fixture("llama"))
            .outputDir(dir)
            .trainExamples(TrainFixtures.randomTexts(16, 1))
            .evalExamples(TrainFixtures.randomTexts(4, 2))
            .logSink(line -> {});
    placement.ifPresentOrElse(builder::placement, () -> builder.device(Device.cpu()));
    return builder.build().run();
  }
}
