package dev.tune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.error.TuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-written WordLevel tokenizer (test resources tokenizer/wordlevel): ids 0-5 are {@code
 * <unk> <s> </s> <pad> <|im_start|> <|im_end|>}, 6-15 the words {@code hello world , ! the cat sat
 * user assistant system}, 16 the non-special added token {@code <note>}; its post-processor adds
 * {@code <s>}.
 */
class ModelTokenizerTest {

  @TempDir Path dir;

  private static String fix(Throwable e) {
    return ((TuneException) e).fix();
  }

  private static Path wordLevel() {
    return TransformersFixturesTest.resources().resolve("wordlevel");
  }

  private Path copyTokenizerJson() throws IOException {
    Files.copy(wordLevel().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    return dir;
  }

  @Test
  void encodesWithThePostProcessorsBos() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      assertThat(tok.encode("hello world , <note> the cat !"))
          .containsExactly(1, 6, 7, 8, 16, 10, 11, 9);
      assertThat(tok.encode("hello world , <note> the cat !", false))
          .containsExactly(6, 7, 8, 16, 10, 11, 9);
      assertThat(tok.encode("the dog sat", false)).containsExactly(10, 0, 12);
      assertThat(tok.encode("")).containsExactly(1);
    }
  }

  @Test
  void specialTokensInTheTextBecomeTheirIds() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      assertThat(tok.encode("<|im_start|>user hello<|im_end|></s>", false))
          .containsExactly(4, 13, 6, 5, 2);
    }
  }

  @Test
  void decodesWithAndWithoutSpecialTokens() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      long[] ids = {1, 6, 7, 8, 16, 10, 11, 9, 2};
      // WordLevel has no decoder, so tokens join with spaces; clean_up_tokenization_spaces is on
      // in tokenizer_config.json and removes the space before "," and "!".
      assertThat(tok.decode(ids)).isEqualTo("<s> hello world, <note> the cat! </s>");
      assertThat(tok.decode(ids, true)).isEqualTo("hello world, <note> the cat!");
    }
  }

  @Test
  void specialTokenIdsFromTheConfig() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      assertThat(tok.bosTokenId()).hasValue(1);
      assertThat(tok.eosTokenId()).as("written as an AddedToken object").hasValue(2);
      assertThat(tok.padTokenId()).hasValue(3);
      assertThat(tok.unkTokenId()).hasValue(0);
      assertThat(tok.tokenId("<note>")).hasValue(16);
      assertThat(tok.tokenId("never-seen")).as("unknown maps to <unk>").hasValue(0);
      assertThat(tok.specialTokens().byName())
          .containsExactly(
              Map.entry("bos_token", "<s>"),
              Map.entry("eos_token", "</s>"),
              Map.entry("unk_token", "<unk>"),
              Map.entry("pad_token", "<pad>"));
    }
  }

  @Test
  void sizesAndLimits() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      assertThat(tok.vocabSize()).isEqualTo(16);
      assertThat(tok.size()).isEqualTo(17);
      assertThat(tok.modelMaxLength()).as("1e30 means no limit").isEmpty();
      assertThat(tok.config().addBosToken()).contains(true);
      assertThat(tok.config().addEosToken()).contains(false);
    }
  }

  @Test
  void eosTokenIdsComeFromTheGenerationConfig() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      assertThat(tok.eosTokenIds()).containsExactly(2L, 5L);
    }
  }

  @Test
  void eosTokenIdsFallBackToConfigJsonThenToTheTokenizer() throws IOException {
    copyTokenizerJson();
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.eosTokenIds()).containsExactly(2L);
    }
    Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 5, \"vocab_size\": 17}");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.eosTokenIds()).containsExactly(5L);
    }
  }

  @Test
  void withoutConfigFilesThereAreNoSpecialTokens() throws IOException {
    try (ModelTokenizer tok = ModelTokenizer.load(copyTokenizerJson())) {
      assertThat(tok.bosTokenId()).isEmpty();
      assertThat(tok.eosTokenIds()).isEmpty();
      assertThat(tok.chatTemplates().isEmpty()).isTrue();
      assertThat(tok.encode("hello")).as("the post-processor still adds <s>").containsExactly(1, 6);
      assertThatThrownBy(
              () -> tok.applyChatTemplate(ChatRequest.builder().message("user", "hi").build()))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("This model has no chat template")
          .satisfies(e -> assertThat(fix(e)).contains("Add a chat_template.jinja"));
    }
  }

  @Test
  void appliesTheChatTemplateAndEncodesWithoutAddingBos() {
    try (ModelTokenizer tok = ModelTokenizer.load(wordLevel())) {
      ChatRequest request =
          ChatRequest.builder().message("user", "hello world").addGenerationPrompt(true).build();

      assertThat(tok.applyChatTemplate(request))
          .isEqualTo("<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\n");
      assertThat(tok.encodeChat(request)).containsExactly(4, 13, 6, 7, 5, 4, 14);
    }
  }

  @Test
  void byteLevelChatRoundTripsThroughIds() {
    Path dirWithJinja = TransformersFixturesTest.resources().resolve("bytelevel");
    try (ModelTokenizer tok = ModelTokenizer.load(dirWithJinja)) {
      ChatRequest request =
          ChatRequest.builder()
              .message("system", "Be brief.")
              .message("user", "Héllo wörld 🙂")
              .addGenerationPrompt(true)
              .variable("date_string", "26 Jul 2024")
              .build();
      String text = tok.applyChatTemplate(request);
      long[] ids = tok.encodeChat(request);

      assertThat(text).startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>");
      assertThat(ids[0]).isEqualTo(tok.bosTokenId().orElseThrow());
      assertThat(ids).containsOnlyOnce(tok.bosTokenId().orElseThrow());
      assertThat(tok.decode(ids)).isEqualTo(text);
      assertThat(tok.eosTokenIds()).containsExactly(1L, 4L);
    }
  }

  @Test
  void chatTemplateFileWinsOverTheConfigEntry() throws IOException {
    copyTokenizerJson();
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"from config\"}");
    Files.writeString(dir.resolve("chat_template.jinja"), "from file {{ messages | length }}\n");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.applyChatTemplate(ChatRequest.builder().message("user", "x").build()))
          .isEqualTo("from file 1");
    }
  }

  @Test
  void namedTemplatesFromTheConfigListAndTheirSelection() throws IOException {
    copyTokenizerJson();
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        """
        {"chat_template": [
          {"name": "default", "template": "plain"},
          {"name": "tool_use", "template": "tools: {{ tools | length }}"},
          {"name": "rag", "template": "docs: {{ documents | length }}"}]}
        """);
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      ChatRequest plain = ChatRequest.builder().message("user", "x").build();
      ChatRequest withTools = plain.toBuilder().tools(List.of(Map.of("name", "f"))).build();
      ChatRequest rag =
          plain.toBuilder().templateName("rag").documents(List.of(Map.of("text", "d"))).build();

      assertThat(tok.chatTemplates().byName()).containsOnlyKeys("default", "tool_use", "rag");
      assertThat(tok.applyChatTemplate(plain)).isEqualTo("plain");
      assertThat(tok.applyChatTemplate(withTools)).isEqualTo("tools: 1");
      assertThat(tok.applyChatTemplate(rag)).isEqualTo("docs: 1");
      assertThatThrownBy(
              () -> tok.applyChatTemplate(plain.toBuilder().templateName("nope").build()))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("no chat template named 'nope'")
          .satisfies(e -> assertThat(fix(e)).isEqualTo("Name one of [default, rag, tool_use]."));
    }
  }

  @Test
  void additionalTemplateFilesAreNamedTemplates() throws IOException {
    copyTokenizerJson();
    Files.writeString(dir.resolve("chat_template.jinja"), "default");
    Files.createDirectory(dir.resolve("additional_chat_templates"));
    Files.writeString(dir.resolve("additional_chat_templates/tool_use.jinja"), "tool use");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      ChatRequest plain = ChatRequest.builder().message("user", "x").build();

      assertThat(tok.applyChatTemplate(plain)).isEqualTo("default");
      assertThat(tok.applyChatTemplate(plain.toBuilder().tools(List.of(Map.of())).build()))
          .isEqualTo("tool use");
    }
  }

  @Test
  void legacySpecialTokensMapCountsOnlyWithoutAddedTokensDecoder() throws IOException {
    copyTokenizerJson();
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"eos_token\": {\"content\": \"<|im_end|>\", \"special\": true}, \"pad_token\": \"<pad>\"}");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.eosTokenId()).as("special_tokens_map.json wins").hasValue(5);
      assertThat(tok.padTokenId()).hasValue(3);
    }
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"eos_token\": \"</s>\", \"added_tokens_decoder\": {}}");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.eosTokenId()).as("ignored next to added_tokens_decoder").hasValue(2);
      assertThat(tok.padTokenId()).isEmpty();
    }
  }

  @Test
  void modelSpecificTokensAreTemplateVariables() throws IOException {
    copyTokenizerJson();
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"image_token\": \"<note>\", \"add_bos_token\": true, \"chat_template\": \"{{ image_token }}\"}");
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.specialTokens().byName()).containsExactly(Map.entry("image_token", "<note>"));
      assertThat(tok.applyChatTemplate(ChatRequest.builder().message("user", "x").build()))
          .isEqualTo("<note>");
    }
  }

  @Test
  void missingDirectoryOrTokenizerJsonSaysWhatToDo() throws IOException {
    assertThatThrownBy(() -> ModelTokenizer.load(dir.resolve("absent")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("absent does not exist");
    assertThatThrownBy(() -> ModelTokenizer.load(dir))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("No tokenizer.json in " + dir)
        .satisfies(e -> assertThat(fix(e)).contains("save_pretrained(dir)"));
  }

  @Test
  void malformedJsonNamesTheFileAndLine() throws IOException {
    copyTokenizerJson();
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\n  \"bos_token\": \"<s>\",\n  oops\n}");

    assertThatThrownBy(() -> ModelTokenizer.load(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Malformed JSON in " + dir.resolve("tokenizer_config.json"))
        .hasMessageContaining("line 3")
        .satisfies(e -> assertThat(fix(e)).contains("Restore the file"));
  }

  @Test
  void tokenizerJsonThatIsNotATokenizerIsRejected() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
    assertThatThrownBy(() -> ModelTokenizer.load(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("has no \"model\" object");

    Files.writeString(
        dir.resolve("tokenizer.json"),
        "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}}");
    assertThatThrownBy(() -> ModelTokenizer.load(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("The Hugging Face tokenizers library")
        .hasMessageContaining("cannot load " + dir.resolve("tokenizer.json"));
  }

  @Test
  void brokenTemplateFileIsNamed() throws IOException {
    copyTokenizerJson();
    Files.writeString(dir.resolve("chat_template.jinja"), "{% for m in messages %}{{ m }}");

    assertThatThrownBy(() -> ModelTokenizer.load(dir))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining(dir.resolve("chat_template.jinja").toString())
        .hasMessageContaining("endfor");
  }

  @Test
  void chatTemplateOfTheWrongTypeIsRejected() throws IOException {
    copyTokenizerJson();
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");

    assertThatThrownBy(() -> ModelTokenizer.load(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("must be a string or a list of named templates");
  }

  @Test
  void cleanupIsSkippedForBpeAsInTransformersV5() {
    try (ModelTokenizer tok =
        ModelTokenizer.load(TransformersFixturesTest.resources().resolve("bytelevel"))) {
      assertThat(tok.config().cleanUpTokenizationSpaces()).isTrue();
      assertThat(tok.decode(tok.encode("fine , isn't it ?", false))).isEqualTo("fine , isn't it ?");
      assertThat(ModelTokenizer.cleanUpTokenization("fine , is n't it ? I 'm sure ."))
          .isEqualTo("fine, isn't it? I'm sure.");
    }
  }
}
