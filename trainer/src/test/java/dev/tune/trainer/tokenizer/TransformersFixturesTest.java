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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares with what transformers itself returned for the same inputs: expected.json was written by
 * make_fixtures.py (see its header) with transformers 5.18.0.
 */
class TransformersFixturesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<List<Map<String, Object>>> LIST_OF_MAPS =
      new TypeReference<>() {};

  static Path resources() {
    try {
      return Path.of(TransformersFixturesTest.class.getResource("/tokenizer").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode expected() throws IOException {
    return MAPPER.readTree(Files.readString(resources().resolve("expected.json")));
  }

  static Stream<Arguments> renders() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (JsonNode r : expected().get("renders")) {
      cases.add(Arguments.of(r.get("template").asText() + " " + r.get("case").asText(), r));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void rendersAsTransformers(String name, JsonNode r) throws IOException {
    Path templateFile = resources().resolve("templates").resolve(r.get("template").asText());
    SpecialTokens tokens;
    try (ModelTokenizer tok = ModelTokenizer.load(resources().resolve("wordlevel"))) {
      tokens = tok.specialTokens();
    }
    ChatTemplate template =
        ChatTemplate.compile(
            "default", Files.readString(templateFile), templateFile.toString(), tokens);
    ChatRequest.Builder request =
        ChatRequest.builder()
            .addGenerationPrompt(r.get("add_generation_prompt").asBoolean())
            .continueFinalMessage(r.get("continue_final_message").asBoolean());
    MAPPER.convertValue(r.get("messages"), LIST_OF_MAPS).forEach(request::message);
    if (!r.get("tools").isNull()) {
      request.tools(MAPPER.convertValue(r.get("tools"), LIST_OF_MAPS));
    }
    r.get("variables")
        .properties()
        .forEach(v -> request.variable(v.getKey(), v.getValue().asText()));

    if (r.has("error")) {
      assertThatThrownBy(() -> template.render(request.build()))
          .isInstanceOf(ChatTemplateException.class)
          .satisfies(
              e ->
                  assertThat(((ChatTemplateException) e).raisedMessage())
                      .contains(r.get("error").asText()));
    } else {
      assertThat(template.render(request.build())).isEqualTo(r.get("output").asText());
    }
  }

  static Stream<Arguments> tokenizerCases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    JsonNode tokenizers = expected().get("tokenizers");
    for (String name : List.of("wordlevel", "bytelevel")) {
      for (JsonNode c : tokenizers.get(name).get("cases")) {
        cases.add(Arguments.of(name, c.get("text").asText(), c));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: \"{1}\"")
  @MethodSource("tokenizerCases")
  void encodesAndDecodesAsTransformers(String name, String text, JsonNode c) {
    try (ModelTokenizer tok = ModelTokenizer.load(resources().resolve(name))) {
      long[] ids = tok.encode(text);
      assertThat(ids).containsExactly(longs(c.get("ids")));
      assertThat(tok.encode(text, false))
          .containsExactly(longs(c.get("ids_without_special_tokens")));
      assertThat(tok.decode(ids)).isEqualTo(c.get("decoded").asText());
      assertThat(tok.decode(ids, true))
          .isEqualTo(c.get("decoded_skipping_special_tokens").asText());
    }
  }

  @Test
  void specialTokenIdsAndSizesAsTransformers() throws IOException {
    JsonNode tokenizers = expected().get("tokenizers");
    for (String name : List.of("wordlevel", "bytelevel")) {
      JsonNode e = tokenizers.get(name);
      try (ModelTokenizer tok = ModelTokenizer.load(resources().resolve(name))) {
        assertThat(tok.bosTokenId().stream().boxed().findFirst().orElse(null))
            .as(name + " bos")
            .isEqualTo(optionalLong(e.get("bos_token_id")));
        assertThat(tok.eosTokenId().stream().boxed().findFirst().orElse(null))
            .as(name + " eos")
            .isEqualTo(optionalLong(e.get("eos_token_id")));
        assertThat(tok.padTokenId().stream().boxed().findFirst().orElse(null))
            .as(name + " pad")
            .isEqualTo(optionalLong(e.get("pad_token_id")));
        assertThat(tok.unkTokenId().stream().boxed().findFirst().orElse(null))
            .as(name + " unk")
            .isEqualTo(optionalLong(e.get("unk_token_id")));
        assertThat(tok.vocabSize()).as(name + " vocab_size").isEqualTo(e.get("vocab_size").asInt());
        assertThat(tok.size()).as(name + " len").isEqualTo(e.get("len").asInt());
        assertThat(tok.specialTokens().byName())
            .as(name + " special_tokens_map")
            .isEqualTo(
                MAPPER.convertValue(
                    e.get("special_tokens_map"), new TypeReference<Map<String, String>>() {}));
      }
    }
  }

  private static Long optionalLong(JsonNode node) {
    return node.isNull() ? null : node.asLong();
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
