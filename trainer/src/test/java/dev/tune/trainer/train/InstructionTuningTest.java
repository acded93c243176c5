package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * QLoRA on the tiny NF4 llama learns a small instruction set whose answers all end with a fixed
 * signature: the held-out loss falls, and a question it never saw is answered with the signature.
 */
@ExtendWith(SingleThreadedTorch.class)
class InstructionTuningTest {

  static final String SIGNATURE = "-- tuned by tune";

  private static final String[] SUBJECTS = {
    "the sky", "grass", "snow", "the sun", "coal", "a lemon",
    "an orange", "blood", "the sea", "a cloud", "milk", "ink"
  };
  private static final String[] COLOURS = {
    "blue", "green", "white", "yellow", "black", "yellow",
    "orange", "red", "blue", "white", "white", "black"
  };
  private static final String[] ASKS = {
    "What colour is",
    "Tell me the colour of",
    "Which colour has",
    "Name the colour of",
    "Say the colour of"
  };

  @TempDir Path dir;

  @Test
  void learnsToSignItsAnswers() {
    try (ModelTokenizer tokenizer = ModelTokenizer.load(TrainFixtures.fixture("tokenizer"));
        NDManager manager = NDManager.newBaseManager();
        QloraModel model =
            TrainFixtures.llama(
                manager,
                QuantizationSpec.qlora(),
                new LoraSpec(16, 32, 0.05, List.of(LoraSpec.ALL_LINEAR)),
                42)) {
      long eos = tokenizer.eosTokenId().orElseThrow();
      List<TrainingExample> examples = new ArrayList<>();
      for (String ask : ASKS) {
        for (int s = 0; s < SUBJECTS.length; s++) {
          examples.add(
              TrainingExample.ofCompletion(
                  prompt(tokenizer, ask + " " + SUBJECTS[s] + "?"),
                  concat(tokenizer.encode(" " + COLOURS[s] + ". " + SIGNATURE, false), eos)));
        }
      }
      assertThat(examples).hasSize(60);
      Collections.shuffle(examples, new Random(3));
      List<TrainingExample> train = examples.subList(0, 50);
      List<TrainingExample> eval = examples.subList(50, 60);

      TrainingArguments args =
          TrainingArguments.builder()
              .maxSteps(100)
              .perDeviceTrainBatchSize(8)
              .learningRate(3e-3)
              .warmupSteps(5)
              .loggingSteps(25)
              .evalSteps(50)
              .saveSteps(1000)
              .build();
      QloraTrainer trainer = QloraTrainer.builder(model, args).outputDir(dir).build();
      double before = trainer.evaluate(eval).loss();
      TrainResult result = trainer.train(train, eval, Optional.empty());
      double after = result.evalLoss().orElseThrow();
      System.out.printf("eval loss %.4f -> %.4f%n", before, after);
      assertThat(before).isGreaterThan(5.0);
      assertThat(after).isLessThan(1.0).isLessThan(before / 5);

      long[] question = prompt(tokenizer, "What colour is a tomato?");
      GenerationResult answer =
          new Generator(model.model())
              .generate(question, SamplingParams.greedy(12).withEosTokenIds(Set.of((int) eos)));
      String text = tokenizer.decode(answer.tokens());
      System.out.println("held-out answer: " + text);
      assertThat(text).contains(SIGNATURE);
    }
  }

  /** The question with the tokenizer's BOS in front (its post-processor adds it). */
  private static long[] prompt(ModelTokenizer tokenizer, String question) {
    return tokenizer.encode("Q: " + question + "\nA:", true);
  }

  private static long[] concat(long[] ids, long last) {
    long[] out = Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = last;
    return out;
  }
}
