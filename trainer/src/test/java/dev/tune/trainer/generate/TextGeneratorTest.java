package dev.tune.trainer.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.fixtures.HfFixtures;
import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.model.generation.FinishReason;
import dev.tune.trainer.model.generation.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextGeneratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** The text whose {@code tok(text)} is the fixture's prompt ids. */
  private static String promptText(InferenceModel loaded, String model) {
    return loaded.tokenizer().decode(reference(model, "prompt_ids"), true);
  }

  private static long[] reference(String model, String name) {
    try (NDManager m = NDManager.newBaseManager()) {
      return HfFixtures.reference(HfFixtures.dir(model), name, m).toLongArray();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void greedyTextContinuesAsTransformersGenerate(String model) {
    long[] prompt = reference(model, "prompt_ids");
    long[] greedy = reference(model, "greedy_ids");
    long[] expected = Arrays.copyOfRange(greedy, prompt.length, greedy.length);
    try (InferenceModel loaded = InferenceModel.load(HfFixtures.dir(model), Optional.empty())) {
      // the fixture's prompt ids are tok(text) of this text
      String text = loaded.tokenizer().decode(prompt, true);
      assertThat(loaded.tokenizer().encode(text)).containsExactly(prompt);
      // none of the fixture's new tokens is the end-of-sequence id, so nothing stops early
      assertThat(loaded.tokenizer().eosTokenIds()).doesNotContainAnyElementsOf(boxed(expected));

      GeneratedText out =
          new TextGenerator(loaded)
              .generate(
                  GenerateRequest.builder()
                      .prompt(text)
                      .temperature(0)
                      .maxNewTokens(expected.length)
                      .build());

      assertThat(out.tokenIds()).containsExactlyElementsOf(boxed(expected));
      assertThat(out.finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(out.promptTokens()).isEqualTo(prompt.length);
      assertThat(out.text()).isEqualTo(loaded.tokenizer().decode(expected, true));
    }
  }

  @Test
  void anAdapterChangesTheContinuation() {
    String model = "llama";
    GenerateRequest.Builder request = GenerateRequest.builder().temperature(0).maxNewTokens(10);
    List<Long> base;
    List<Long> adapted;
    try (InferenceModel loaded = InferenceModel.load(HfFixtures.dir(model), Optional.empty())) {
      base =
          new TextGenerator(loaded)
              .generate(request.prompt(promptText(loaded, model)).build())
              .tokenIds();
    }
    try (InferenceModel loaded =
        InferenceModel.load(HfFixtures.dir(model), Optional.of(HfFixtures.adapter(model)))) {
      assertThat(loaded.adapter()).isPresent();
      adapted =
          new TextGenerator(loaded)
              .generate(request.prompt(promptText(loaded, model)).build())
              .tokenIds();
    }
    assertThat(adapted).hasSize(10).isNotEqualTo(base);
  }

  @Test
  void aSeededSampleIsReproducibleAndTheSeedMatters() {
    try (InferenceModel loaded = InferenceModel.load(HfFixtures.dir("mistral"), Optional.empty())) {
      TextGenerator generator = new TextGenerator(loaded);
      GenerateRequest.Builder sample =
          GenerateRequest.builder().prompt("The quick").temperature(1.0).topK(0).maxNewTokens(12);
      GeneratedText first = generator.generate(sample.seed(7).build());
      GeneratedText again = generator.generate(sample.seed(7).build());
      assertThat(again).isEqualTo(first);
      assertThat(first.seed()).isEqualTo(7);
      Set<List<Long>> others = new HashSet<>();
      for (long seed = 100; seed < 105; seed++) {
        others.add(generator.generate(sample.seed(seed).build()).tokenIds());
      }
      assertThat(others).hasSizeGreaterThan(1);
      // sampling is not greedy decoding
      GeneratedText greedy = generator.generate(sample.temperature(0).build());
      assertThat(others).anySatisfy(ids -> assertThat(ids).isNotEqualTo(greedy.tokenIds()));
    }
  }

  @Test
  void chatRendersTheTemplateWithTheAssistantTurnOpen() {
    try (InferenceModel loaded = InferenceModel.load(HfFixtures.dir("llama"), Optional.empty())) {
      TextGenerator generator = new TextGenerator(loaded);
      long[] ids =
          generator.promptIds(GenerateRequest.builder().prompt("  Hi there ").chat(true).build());
      // the fixture's chatml template: role line, trimmed content, end mark, then the open turn
      String rendered = "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n";
      assertThat(ids).containsExactly(loaded.tokenizer().encode(rendered, false));
      assertThat(loaded.tokenizer().decode(ids)).isEqualTo(rendered);

      GeneratedText out =
          generator.generate(
              GenerateRequest.builder()
                  .prompt("Hi there")
                  .chat(true)
                  .temperature(0)
                  .maxNewTokens(3)
                  .build());
      assertThat(out.promptTokens()).isEqualTo(ids.length);
      assertThat(out.tokenIds()).hasSize(3);
    }
  }

  @Test
  void stopsAtTheEndOfSequenceIdOfTheGenerationConfig() throws IOException {
    long[] prompt = reference("llama", "prompt_ids");
    long[] greedy = reference("llama", "greedy_ids");
    long stop = greedy[prompt.length + 3];
    int firstStop = prompt.length;
    while (greedy[firstStop] != stop) {
      firstStop++;
    }
    Path dir = copyFixture("llama");
    editJson(dir.resolve("generation_config.json"), json -> json.put("eos_token_id", stop));

    try (InferenceModel loaded = InferenceModel.load(dir, Optional.empty())) {
      assertThat(loaded.tokenizer().eosTokenIds()).containsExactly(stop);
      GeneratedText out =
          new TextGenerator(loaded)
              .generate(
                  GenerateRequest.builder()
                      .prompt(promptText(loaded, "llama"))
                      .temperature(0)
                      .maxNewTokens(10)
                      .build());
      assertThat(out.finishReason()).isEqualTo(FinishReason.EOS);
      assertThat(out.tokenIds())
          .containsExactlyElementsOf(
              boxed(Arrays.copyOfRange(greedy, prompt.length, firstStop + 1)));
    }
  }

  @Test
  void unsetSettingsComeFromTheGenerationConfigThenTransformersDefaults() throws IOException {
    Path dir = copyFixture("falcon-mq");
    try (InferenceModel loaded = InferenceModel.load(dir, Optional.empty())) {
      SamplingParams params = new TextGenerator(loaded).samplingParams(GenerateRequest.of("x"));
      assertThat(params.isGreedy()).isTrue();
      assertThat(params.maxNewTokens()).isEqualTo(TextGenerator.DEFAULT_MAX_NEW_TOKENS);
      assertThat(params.topK()).isEqualTo(50);
      assertThat(params.topP()).isEqualTo(1.0);
      assertThat(params.eosTokenIds()).containsExactly(1);
    }
    editJson(
        dir.resolve("generation_config.json"),
        json ->
            json.put("do_sample", true)
                .put("temperature", 0.7)
                .put("top_p", 0.9)
                .put("max_new_tokens", 33)
                .set("eos_token_id", JSON.createArrayNode().add(1).add(7)));
    try (InferenceModel loaded = InferenceModel.load(dir, Optional.empty())) {
      TextGenerator generator = new TextGenerator(loaded);
      SamplingParams params = generator.samplingParams(GenerateRequest.of("x"));
      assertThat(params.temperature()).isEqualTo(0.7);
      assertThat(params.topP()).isEqualTo(0.9);
      assertThat(params.topK()).isEqualTo(50);
      assertThat(params.maxNewTokens()).isEqualTo(33);
      assertThat(params.eosTokenIds()).containsExactlyInAnyOrder(1, 7);
      SamplingParams asked =
          generator.samplingParams(
              GenerateRequest.builder().prompt("x").temperature(0).topK(5).maxNewTokens(2).build());
      assertThat(asked.isGreedy()).isTrue();
      assertThat(asked.topK()).isEqualTo(5);
      assertThat(asked.maxNewTokens()).isEqualTo(2);
    }
  }

  @Test
  void badSettingsAreBadInput() {
    try (InferenceModel loaded = InferenceModel.load(HfFixtures.dir("llama"), Optional.empty())) {
      TextGenerator generator = new TextGenerator(loaded);
      assertThatThrownBy(
              () -> generator.generate(GenerateRequest.builder().prompt("x").topP(1.5).build()))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("top_p");
      assertThatThrownBy(
              () ->
                  generator.generate(GenerateRequest.builder().prompt("x").temperature(-1).build()))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("temperature");
    }
  }

  @Test
  void chatWithoutATemplateIsBadInput() throws IOException {
    Path dir = copyFixture("llama");
    Files.delete(dir.resolve("chat_template.jinja"));
    try (InferenceModel loaded = InferenceModel.load(dir, Optional.empty())) {
      assertThatThrownBy(
              () ->
                  new TextGenerator(loaded)
                      .generate(GenerateRequest.builder().prompt("x").chat(true).build()))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("has no chat template");
    }
  }

  private static List<Long> boxed(long[] ids) {
    return Arrays.stream(ids).boxed().toList();
  }

  private Path copyFixture(String model) throws IOException {
    Path to = Files.createDirectories(tmp.resolve(model));
    try (Stream<Path> files = Files.list(HfFixtures.dir(model))) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
    return to;
  }

  private static void editJson(Path file, java.util.function.Consumer<ObjectNode> edit)
      throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    edit.accept(json);
    Files.writeString(file, JSON.writeValueAsString(json));
  }
}
