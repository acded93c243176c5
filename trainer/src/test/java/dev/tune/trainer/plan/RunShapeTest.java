package dev.tune.trainer.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.Optimizer;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.optim.OptimizerName;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunShapeTest {

  @Test
  void aTrainSpecGivesTheShapeTuneTrainWouldRun() {
    TrainSpec spec =
        TrainSpec.builder()
            .model(BaseModel.of(ArtifactUri.parse("hf://mistralai/Mistral-7B-v0.1")))
            .data(DataSpec.builder(ArtifactUri.parse("/tmp/train.jsonl")).maxSeqLength(512).build())
            .lora(new LoraSpec(32, 64, 0.1, List.of(LoraSpec.ALL_LINEAR)))
            .training(
                TrainingArguments.builder()
                    .perDeviceTrainBatchSize(4)
                    .optim(Optimizer.PAGED_ADAMW_8BIT)
                    .gradientCheckpointing(true)
                    .bf16(true)
                    .build())
            .output(OutputSpec.named("m"))
            .build();
    RunShape gpu = RunShape.of(spec, true);
    assertThat(gpu.batchSize()).isEqualTo(4);
    assertThat(gpu.seqLen()).isEqualTo(512);
    assertThat(gpu.lora().r()).isEqualTo(32);
    assertThat(gpu.optimizer()).isEqualTo(OptimizerName.PAGED_ADAMW_8BIT);
    assertThat(gpu.gradientCheckpointing()).isTrue();
    // bfloat16 runs as float16 on a GPU (DJL 0.36), float32 on the CPU
    assertThat(gpu.computeDtype()).isEqualTo(DataType.FLOAT16);
    assertThat(RunShape.of(spec, false).computeDtype()).isEqualTo(DataType.FLOAT32);
    assertThat(gpu.quantize4bit()).isTrue();
    assertThat(gpu.doubleQuant()).isTrue();
  }

  @Test
  void aBatchOfNothingIsBadInput() {
    assertThatThrownBy(() -> RunShape.builder().batchSize(0).build())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("batch size");
  }
}
