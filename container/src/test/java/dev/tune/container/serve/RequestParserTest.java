package dev.tune.container.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {

  private final RequestParser parser = new RequestParser(4);

  private PredictionRequest parse(String json) {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> rejects(String json) {
    return assertThatThrownBy(() -> parse(json))
        .isInstanceOf(ApiError.class)
        .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(400));
  }

  @Test
  void vertexInstancesTakeTheirOwnOptionsOverParameters() {
    PredictionRequest r =
        parse(
            """
            {"instances": [{"prompt": "a", "max_tokens": 5, "temperature": 0.7},
                           {"prompt": "b"}, "c"],
             "parameters": {"max_tokens": 9, "top_p": 0.9, "top_k": 3, "seed": 42}}
            """);
    assertThat(r.stream()).isFalse();
    assertThat(r.instances()).hasSize(3);
    GenerationOptions first = r.instances().get(0).options();
    assertThat(r.instances().get(0).input()).isEqualTo(new PromptInput.Text("a"));
    assertThat(first.maxTokens()).isEqualTo(OptionalInt.of(5));
    assertThat(first.temperature()).isEqualTo(OptionalDouble.of(0.7));
    assertThat(first.topP()).isEqualTo(OptionalDouble.of(0.9));
    assertThat(first.topK()).isEqualTo(OptionalInt.of(3));
    assertThat(first.seed()).isEqualTo(OptionalLong.of(42));
    assertThat(r.instances().get(1).options().maxTokens()).isEqualTo(OptionalInt.of(9));
    assertThat(r.instances().get(2).input()).isEqualTo(new PromptInput.Text("c"));
  }

  @Test
  void huggingFaceInputsWithMaxNewTokensAndDoSample() {
    PredictionRequest r =
        parse(
            """
            {"inputs": ["x", "y"], "parameters": {"max_new_tokens": 7, "do_sample": true}}
            """);
    assertThat(r.instances())
        .extracting(PredictionRequest.Instance::input)
        .containsExactly(new PromptInput.Text("x"), new PromptInput.Text("y"));
    GenerationOptions o = r.instances().get(0).options();
    assertThat(o.maxTokens()).isEqualTo(OptionalInt.of(7));
    assertThat(o.temperature()).isEqualTo(OptionalDouble.of(1.0));
    assertThat(
            parse(
                    "{\"inputs\": \"z\", \"parameters\": {\"do_sample\": false, \"temperature\": 0.5}}")
                .instances()
                .get(0)
                .options()
                .temperature())
        .isEqualTo(OptionalDouble.of(0));
  }

  @Test
  void chatMessagesAtTheTopLevelOrInAnInstance() {
    PredictionRequest top =
        parse("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": true}");
    assertThat(top.stream()).isTrue();
    assertThat(top.instances().get(0).input())
        .isEqualTo(new PromptInput.Chat(List.of(Map.of("role", "user", "content", "hi"))));
    PredictionRequest inInstance =
        parse(
            "{\"instances\": [{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}],"
                + " \"parameters\": {\"stream\": true}}");
    assertThat(inInstance.stream()).isTrue();
    assertThat(inInstance.instances().get(0).input()).isInstanceOf(PromptInput.Chat.class);
  }

  @Test
  void malformedJsonSaysWhere() {
    rejects("{\"instances\": [")
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("line 1");
    rejects("{\"instances\": [\"a\"]} trailing").hasMessageContaining("not valid JSON");
    rejects("{\"inputs\": \"a\", \"inputs\": \"b\"}").hasMessageContaining("not valid JSON");
    rejects("").hasMessageContaining("empty");
    rejects("[1, 2]").hasMessageContaining("must be a JSON object");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"instances\": [{\"prompt\": 5}]}|instances[0].prompt must be a string, got a number",
        "{\"instances\": [{\"prompt\": \"a\", \"max_tokens\": \"5\"}]}|instances[0].max_tokens must be an integer >= 1, got a string",
        "{\"instances\": [{\"prompt\": \"a\", \"max_tokens\": 2.5}]}|instances[0].max_tokens must be an integer >= 1, got 2.5",
        "{\"instances\": [{\"prompt\": \"a\", \"max_tokens\": 0}]}|instances[0].max_tokens must be an integer >= 1, got 0",
        "{\"instances\": [{\"prompt\": \"a\", \"temperature\": -1}]}|instances[0].temperature must be a number >= 0",
        "{\"instances\": [{\"prompt\": \"a\", \"temperature\": true}]}|instances[0].temperature must be a number, got true/false",
        "{\"instances\": [{\"prompt\": \"a\", \"top_p\": 0}]}|instances[0].top_p must be a number in (0, 1]",
        "{\"instances\": [{\"prompt\": \"a\", \"top_k\": -2}]}|instances[0].top_k must be an integer >= 0",
        "{\"instances\": [{\"prompt\": \"a\", \"seed\": \"x\"}]}|instances[0].seed must be an integer",
        "{\"instances\": [{\"prompt\": \"a\", \"max_token\": 3}]}|instances[0] has an unknown field \"max_token\"",
        "{\"instances\": [{\"prompt\": \"a\", \"max_tokens\": 3, \"max_new_tokens\": 3}]}|mean the same",
        "{\"instances\": [{\"prompt\": \"\"}]}|instances[0].prompt is empty",
        "{\"instances\": [{\"prompt\": \"   \"}]}|instances[0].prompt is empty",
        "{\"instances\": [{}]}|instances[0] has no \"prompt\"",
        "{\"instances\": [{\"prompt\": \"a\", \"messages\": []}]}|has both \"prompt\" and \"messages\"",
        "{\"instances\": [7]}|instances[0] must be a prompt text or an object",
        "{\"instances\": []}|instances is empty",
        "{\"instances\": {\"prompt\": \"a\"}}|instances must be an array",
        "{\"instances\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}|at most 4 per request",
        "{\"parameters\": {}}|The request has no prompts",
        "{\"inputs\": \"a\", \"instances\": [\"b\"]}|give only one of them",
        "{\"inputs\": 3}|inputs must be a prompt text or an array",
        "{\"inputs\": [\"a\", 3]}|inputs[1] must be a string",
        "{\"inputs\": \"a\", \"parameters\": []}|parameters must be a JSON object",
        "{\"inputs\": \"a\", \"stream\": \"yes\"}|stream must be true or false",
        "{\"inputs\": \"a\", \"extra\": 1}|the request has an unknown field \"extra\"",
        "{\"messages\": []}|messages is empty",
        "{\"messages\": [\"hi\"]}|messages[0] must be an object",
        "{\"messages\": [{\"content\": \"hi\"}]}|messages[0].role must be a non-empty string",
        "{\"messages\": [{\"role\": \"user\", \"content\": 3}]}|messages[0].content must be a string or an array",
      })
  void wrongShapesAndTypesAreNamed(String json, String message) {
    rejects(json).hasMessageContaining(message);
  }
}
