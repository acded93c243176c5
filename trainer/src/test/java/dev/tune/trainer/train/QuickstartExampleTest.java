package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.artifact.FileUri;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.generate.GenerateRequest;
import dev.tune.trainer.generate.TextGenerator;
import dev.tune.trainer.inference.InferenceModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The quickstart's assets fit together: {@code tune.yaml} trains the bundled model on the bundled
 * data, and the base model answers held-out questions in plain sentences without the signature that
 * tuning teaches ({@link QuickstartTraining} measures the tuning itself).
 */
@ExtendWith(SingleThreadedTorch.class)
class QuickstartExampleTest {

  @Test
  void tuneYamlTrainsTheBundledModelOnTheBundledData() {
    Path dir = QuickstartAssets.dir();
    TrainSpec spec = TuneConfig.load(dir.resolve("tune.yaml")).trainSpec();

    assertThat(spec.model().source()).isEqualTo(FileUri.of(dir.resolve("model")));
    assertThat(spec.data().train()).isEqualTo(FileUri.of(dir.resolve("data/train.jsonl")));
    assertThat(spec.data().eval()).contains(FileUri.of(dir.resolve("data/eval.jsonl")));
    assertThat(spec.quantization().loadIn4bit()).isTrue();
    // The trainer takes unpacked rows (see QuickstartAssets.examples).
    assertThat(spec.data().packing()).isFalse();
  }

  @Test
  void baseModelAnswersInSentencesWithoutTheSignature() throws IOException {
    List<String> prompts =
        QuickstartTraining.prompts(QuickstartAssets.dir().resolve("data/eval.jsonl"))
            .subList(0, 10);
    try (InferenceModel model = InferenceModel.load(QuickstartAssets.model(), Optional.empty())) {
      TextGenerator generator = new TextGenerator(model);
      for (String prompt : prompts) {
        String answer =
            generator
                .generate(
                    GenerateRequest.builder()
                        .prompt(prompt)
                        .maxNewTokens(24)
                        .temperature(0)
                        .build())
                .text();
        assertThat(answer)
            .doesNotContain(QuickstartTraining.SIGNATURE)
            .matches("[A-Z][^\\n]*\\.\\n\\n### End");
      }
    }
  }
}
