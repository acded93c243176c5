package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.lora.LoraAdapter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradient checkpointing computes the gradients that the fully recorded pass computes. */
@ExtendWith(SingleThreadedTorch.class)
class GradientCheckpointingTest extends ManagerPerTest {

  @ParameterizedTest(name = "lora_dropout {0}")
  @ValueSource(doubles = {0.0, 0.1})
  void checkpointedGradientsEqualRecordedOnes(double dropout) {
    LoraSpec lora = new LoraSpec(8, 16, dropout, List.of(LoraSpec.ALL_LINEAR));
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), lora, 3)) {
      randomizeB(model, 11);
      model.lora().setTraining(true);
      // padded rows of unequal length, prompt tokens ignored
      PaddedBatch batch =
          PaddedBatch.of(
              List.of(
                  TrainingExample.ofCompletion(new long[] {0, 17, 40, 99}, new long[] {7, 8, 1}),
                  TrainingExample.ofText(new long[] {0, 300, 301, 302, 303, 304, 305, 306, 1}),
                  TrainingExample.ofText(new long[] {0, 42, 43})),
              2);

      GradientPass recorded = GradientPass.of(model, batch, false, 5, manager);
      GradientPass checkpointed = GradientPass.of(model, batch, true, 5, manager);

      float worst = checkpointed.largestDifference(recorded);
      System.out.printf(
          "checkpointing (dropout %.1f): max |grad diff| %.3e, max |grad| %.3e%n",
          dropout, worst, recorded.largest());
      assertThat(checkpointed.lossSum()).isEqualTo(recorded.lossSum());
      assertThat(recorded.largest()).isGreaterThan(1e-3f);
      assertThat(worst).isLessThanOrEqualTo(1e-5f);
    }
  }

  /** peft starts B at zero, where A gets no gradient; random B makes the comparison cover A. */
  static void randomizeB(QloraModel model, long seed) {
    Random random = new Random(seed);
    for (LoraAdapter adapter : model.lora().adapters().values()) {
      float[] values = new float[Math.toIntExact(adapter.loraB().size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (0.1 * random.nextGaussian());
      }
      adapter.loraB().set(values);
    }
  }
}
