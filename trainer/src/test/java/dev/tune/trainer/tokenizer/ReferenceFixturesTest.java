package dev.tune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The project's reference fixtures (fixtures/hf, made by tools/fixtures/make_hf_fixtures.py with
 * transformers 5.17): tokenizer-cases.json for the tokenizer in fixtures/hf/tokenizer, and the
 * special tokens of the tiny checkpoints.
 */
class ReferenceFixturesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Path hf() {
    try {
      return Path.of(ReferenceFixturesTest.class.getResource("/fixtures/hf").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode cases() throws IOException {
    return MAPPER.readTree(Files.readString(hf().resolve("tokenizer-cases.json")));
  }

  static Stream<Arguments> encodeCases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    cases().get("encode").forEach(c -> out.add(Arguments.of(c.get("text").asText(), c)));
    return out.stream();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("encodeCases")
  void encodesAndDecodesAsTransformers(String text, JsonNode c) {
    try (ModelTokenizer tok = ModelTokenizer.load(hf().resolve("tokenizer"))) {
      long[] ids = tok.encode(text);

      assertThat(ids).containsExactly(longs(c.get("ids")));
      assertThat(tok.encode(text, false)).containsExactly(longs(c.get("ids_no_special")));
      assertThat(tok.decode(ids)).isEqualTo(c.get("decode").asText());
      assertThat(tok.decode(ids, true)).isEqualTo(c.get("decode_skip_special").asText());
    }
  }

  static Stream<Arguments> chatCases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    int i = 0;
    for (JsonNode c : cases().get("chat")) {
      out.add(Arguments.of(c.get("template_name").asText() + " #" + i++, c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chatCases")
  void rendersChatAsTransformers(String name, JsonNode c) {
    SpecialTokens tokens;
    try (ModelTokenizer tok = ModelTokenizer.load(hf().resolve("tokenizer"))) {
      tokens = tok.specialTokens();
    }
    ChatTemplate template =
        ChatTemplate.compile("default", c.get("template").asText(), name, tokens);
    ChatRequest.Builder request =
        ChatRequest.builder().addGenerationPrompt(c.get("add_generation_prompt").asBoolean());
    MAPPER
        .convertValue(c.get("messages"), new TypeReference<List<Map<String, Object>>>() {})
        .forEach(request::message);

    if (c.get("error").isNull()) {
      assertThat(template.render(request.build())).isEqualTo(c.get("rendered").asText());
    } else {
      assertThatThrownBy(() -> template.render(request.build()))
          .isInstanceOf(ChatTemplateException.class)
          .satisfies(
              e ->
                  assertThat(((ChatTemplateException) e).raisedMessage())
                      .contains(c.get("error").asText()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void checkpointTokenizersAgreeWithTheirConfigs(String model) throws IOException {
    Path dir = hf().resolve(model);
    JsonNode generation = MAPPER.readTree(Files.readString(dir.resolve("generation_config.json")));
    try (ModelTokenizer tok = ModelTokenizer.load(dir)) {
      assertThat(tok.bosTokenId()).hasValue(generation.get("bos_token_id").asLong());
      assertThat(tok.eosTokenIds()).containsExactly(generation.get("eos_token_id").asLong());
      assertThat(tok.padTokenId()).hasValue(generation.get("pad_token_id").asLong());
      assertThat(tok.chatTemplates().isEmpty())
          .isEqualTo(!Files.exists(dir.resolve("chat_template.jinja")));
    }
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
