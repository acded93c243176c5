package dev.tune.container.train;

import dev.tune.trainer.generate.GenerateRequest;
import dev.tune.trainer.generate.TextGenerator;
import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Answers the sample prompts with one model, greedily, so that before and after compare. */
final class SampleAnswers {
  static final int MAX_NEW_TOKENS = 64;

  private SampleAnswers() {}

  /**
   * The answers of the model in {@code modelDir} (with the adapter in {@code adapterDir}, if
   * given); the model is freed before this returns.
   */
  static List<String> of(Path modelDir, Optional<Path> adapterDir, List<SamplePrompt> prompts) {
    if (prompts.isEmpty()) {
      return List.of();
    }
    try (InferenceModel model = InferenceModel.load(modelDir, adapterDir)) {
      TextGenerator text = new TextGenerator(model);
      SamplingParams greedy =
          text.samplingParams(
              GenerateRequest.builder()
                  .prompt("-")
                  .maxNewTokens(MAX_NEW_TOKENS)
                  .temperature(0)
                  .seed(0)
                  .build());
      Generator generator = new Generator(model.model());
      List<String> answers = new ArrayList<>();
      for (SamplePrompt prompt : prompts) {
        answers.add(
            model.tokenizer().decode(generator.generate(prompt.ids(), greedy).tokens(), true));
      }
      return answers;
    }
  }
}
