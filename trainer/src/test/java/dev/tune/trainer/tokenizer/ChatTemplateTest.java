package dev.tune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Renders of the templates under test resources, each expected string worked out by hand from
 * Jinja2's rules (trim_blocks and lstrip_blocks on, one trailing template newline dropped).
 */
class ChatTemplateTest {

  private static final SpecialTokens LLAMA3 =
      new SpecialTokens(Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>"));
  private static final SpecialTokens MISTRAL =
      new SpecialTokens(Map.of("bos_token", "<s>", "eos_token", "</s>"));
  private static final Clock JULY_26_2024 =
      Clock.fixed(Instant.parse("2024-07-26T10:15:30Z"), ZoneOffset.UTC);

  private static ChatTemplate template(String file, SpecialTokens tokens) throws IOException {
    Path path = TransformersFixturesTest.resources().resolve("templates").resolve(file);
    return ChatTemplate.compile("default", Files.readString(path), path.toString(), tokens);
  }

  private static String render(String source, ChatRequest request) {
    return ChatTemplate.compile(source).render(request);
  }

  private static ChatRequest conversation(String... rolesAndContents) {
    ChatRequest.Builder b = ChatRequest.builder();
    for (int i = 0; i < rolesAndContents.length; i += 2) {
      b.message(rolesAndContents[i], rolesAndContents[i + 1]);
    }
    return b.build();
  }

  @Test
  void llama3StyleWithHeadersDateAndGenerationPrompt() throws IOException {
    ChatTemplate llama = template("llama3.jinja", LLAMA3).withClock(JULY_26_2024);

    String text =
        llama.render(List.of(ChatMessage.system("  Be brief. "), ChatMessage.user("Hi")), true);

    assertThat(text)
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Today Date: 26 Jul 2024\n\n"
                + "Be brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void llama3StyleTakesDateStringVariableOverStrftime() throws IOException {
    ChatTemplate llama = template("llama3.jinja", LLAMA3).withClock(JULY_26_2024);
    ChatRequest request =
        conversation("user", "Hi", "assistant", "Hello").toBuilder()
            .variable("date_string", "01 Feb 2025")
            .build();

    assertThat(llama.render(request))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Today Date: 01 Feb 2025\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|>");
  }

  @Test
  void llama3StyleJoinsContentBlocks() throws IOException {
    ChatTemplate llama = template("llama3.jinja", LLAMA3).withClock(JULY_26_2024);
    ChatRequest request =
        ChatRequest.builder()
            .message(
                Map.of(
                    "role",
                    "user",
                    "content",
                    List.of(
                        Map.of("type", "text", "text", "a"), Map.of("type", "text", "text", "b "))))
            .build();

    assertThat(llama.render(request))
        .endsWith("<|start_header_id|>user<|end_header_id|>\n\na\nb<|eot_id|>");
  }

  @Test
  void mistralStyleInstructionBlocks() throws IOException {
    ChatTemplate mistral = template("mistral.jinja", MISTRAL);

    assertThat(mistral.render(conversation("user", "Hi", "assistant", "Hello", "user", "Bye")))
        .isEqualTo("<s> [INST] Hi [/INST] Hello</s> [INST] Bye [/INST]");
    assertThat(mistral.render(conversation("system", "Sys", "user", "Hi")))
        .isEqualTo("<s> [INST] Sys\n\nHi [/INST]");
  }

  @Test
  void mistralStyleRaisesWhenRolesDoNotAlternate() throws IOException {
    ChatTemplate mistral = template("mistral.jinja", MISTRAL);

    assertThatThrownBy(() -> mistral.render(conversation("user", "Hi", "user", "Again")))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("Chat template 'default' from ")
        .hasMessageContaining("mistral.jinja rejected the conversation: ")
        .hasMessageContaining("conversation roles must alternate user/assistant/user/assistant/...")
        .satisfies(
            e -> {
              ChatTemplateException cte = (ChatTemplateException) e;
              assertThat(cte.fix()).contains("raise_exception");
              assertThat(cte.templateName()).isEqualTo("default");
              assertThat(cte.raisedMessage())
                  .contains(
                      "After the optional system message, conversation roles must alternate"
                          + " user/assistant/user/assistant/...");
            });
  }

  @Test
  void zephyrStyleKeepsNewlinesAfterExpressionsAndTrimsThemAfterTags() throws IOException {
    ChatTemplate zephyr = template("zephyr.jinja", MISTRAL);
    ChatRequest request =
        conversation("system", "S", "user", "U").toBuilder().addGenerationPrompt(true).build();

    assertThat(zephyr.render(request))
        .isEqualTo("<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\n");
    assertThat(zephyr.render(conversation("user", "U", "assistant", "A")))
        .isEqualTo("<|user|>\nU</s>\n<|assistant|>\nA</s>\n");
  }

  @Test
  void chatMlStyleKeepsIndentBeforeExpressions() throws IOException {
    // lstrip_blocks strips indentation before {% %} only, never before {{ }}.
    ChatTemplate chatml = template("chatml.jinja", SpecialTokens.NONE);
    ChatRequest request = conversation("user", "U").toBuilder().addGenerationPrompt(true).build();

    assertThat(chatml.render(request))
        .isEqualTo("    <|im_start|>user\nU<|im_end|>\n\n    <|im_start|>assistant\n\n");
  }

  @Test
  void namespaceToolsAndTojsonTemplate() throws IOException {
    ChatTemplate tools = template("tools.jinja", SpecialTokens.NONE);
    ChatRequest request =
        conversation("system", "Sys", "user", " U ").toBuilder()
            .tools(List.of(Map.of("name", "f")))
            .addGenerationPrompt(true)
            .build();

    assertThat(tools.render(request))
        .isEqualTo(
            """
            <|im_start|>system
            Sys

            # Tools

            <tools>
            {"name": "f"}
            </tools><|im_end|>
            <|im_start|>user
            U [latest]<|im_end|>
            <|im_start|>assistant
            """);
  }

  @Test
  void toolsTemplateStripsThinkingAndIndentsToolCalls() throws IOException {
    ChatTemplate tools = template("tools.jinja", SpecialTokens.NONE);
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("x", 1);
    arguments.put("ok", true);
    arguments.put("none", null);
    Map<String, Object> function = new LinkedHashMap<>();
    function.put("name", "f");
    function.put("arguments", arguments);
    Map<String, Object> call = Map.of("type", "function", "function", function);
    ChatRequest request =
        ChatRequest.builder()
            .message("user", "Go")
            .message(Map.of("role", "assistant", "content", "", "tool_calls", List.of(call)))
            .message("assistant", "<think>\nhmm\n</think>\n\nDone.")
            .build();

    assertThat(tools.render(request))
        .isEqualTo(
            """
            <|im_start|>system
            You are a helpful assistant.<|im_end|>
            <|im_start|>user
            Go [latest]<|im_end|>
            <|im_start|>assistant
            <tool_call>
            {
              "name": "f",
              "arguments": {
                "x": 1,
                "ok": true,
                "none": null
              }
            }
            </tool_call><|im_end|>
            <|im_start|>assistant
            Done.<|im_end|>
            """);
  }

  @Test
  void jinja2ConstructsCommonTemplatesUse() {
    ChatRequest request =
        ChatRequest.builder()
            .message("system", "  padded  ")
            .message(
                Map.of("role", "user", "content", List.of(Map.of("type", "text", "text", "x"))))
            .message("assistant", "a.b.c")
            .build();

    assertThat(
            render(
                "{% for m in messages %}{% if m['content'] is string %}S{% else %}L{% endif %}"
                    + "{% endfor %}",
                request))
        .isEqualTo("SLS");
    assertThat(
            render(
                "[{{ messages[0]['content'].strip() }}|{{ messages[0].content | trim }}]", request))
        .isEqualTo("[padded|padded]");
    assertThat(render("{{ messages[1:] | length }}{{ 'abcdef'[1:3] }}{{ 'abcdef'[-2:] }}", request))
        .isEqualTo("2bcef");
    assertThat(
            render(
                "{% for m in messages %}{{ m.role[0] }}{% if loop.first %}<{% endif %}"
                    + "{% if loop.last %}>{% endif %}{% endfor %}",
                request))
        .isEqualTo("s<ua>");
    assertThat(
            render(
                "{% if 'b.c' in messages[2].content %}in{% endif %}"
                    + "{% if 'z' not in messages[2].content %}-notin{% endif %}",
                request))
        .isEqualTo("in-notin");
    assertThat(
            render(
                "{% set ns = namespace(n=0, last='') %}{% for m in messages %}"
                    + "{% set ns.n = ns.n + 1 %}{% set ns.last = m.role %}{% endfor %}"
                    + "{{ ns.n }}:{{ ns.last }}",
                request))
        .isEqualTo("3:assistant");
    assertThat(
            render(
                "{% for m in messages %}{% if loop.index0 == 0 %}{% continue %}{% endif %}"
                    + "{{ m.role }};{% if m.role == 'user' %}{% break %}{% endif %}{% endfor %}",
                request))
        .isEqualTo("user;");
    assertThat(render("{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}", request))
        .isEqualTo("aus");
    assertThat(
            render(
                "{% if not undefined_thing is defined %}undefined{% endif %}"
                    + "{% if not messages is defined %}never{% endif %}",
                request))
        .isEqualTo("undefined");
  }

  @Test
  void keywordArgumentsTakeTheWholeExpression() {
    // Qwen3-style: namespace(last_query_index=messages|length - 1)
    assertThat(
            render(
                "{% set ns = namespace(flag=true, last=messages|length - 1) %}{{ ns.last }}"
                    + "{{ [1, 2] | tojson(indent=1 + 1) }}",
                conversation("user", "a", "assistant", "b")))
        .isEqualTo("1[\n  1,\n  2\n]");
  }

  @Test
  void stringsAreIterableSequencesAsInPython() {
    // Llama 3.1 tojson-quotes string tool output through "is iterable".
    String source =
        "{% for m in messages %}{% if m.content is mapping or m.content is iterable %}"
            + "{{ m.content | tojson }}{% else %}{{ m.content }}{% endif %}"
            + "{% if m.content is sequence %}!{% endif %}{% endfor %}";
    ChatRequest request =
        ChatRequest.builder()
            .message("tool", "sunny")
            .message(Map.of("role", "tool", "content", 21))
            .build();

    assertThat(render(source, request)).isEqualTo("\"sunny\"!21");
  }

  @Test
  void filteredLoopsCountOnlyTheKeptItems() {
    // Mistral v0.3-style: {%- for key, val in tool.items() if key != "return" %}
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", "f");
    tool.put("return", "r");
    tool.put("description", "d");
    ChatRequest request = conversation("user", "a", "assistant", "b", "user", "c");

    assertThat(
            render(
                "{% for m in messages if m.role == 'user' %}{{ loop.index }}{{ m.content }}"
                    + "{% if loop.last %}.{% endif %}{% endfor %}",
                request))
        .isEqualTo("1a2c.");
    assertThat(
            render(
                "{%- for key, val in tool.items() if key != \"return\" %}{{ key }}={{ val }}"
                    + "{% if not loop.last %}, {% endif %}{% endfor %}",
                request.toBuilder().variable("tool", tool).build()))
        .isEqualTo("name=f, description=d");
    assertThat(
            render(
                "{% for m in messages if m.content in ('a' if true else 'b', 'c') %}{{ m.content }}"
                    + "{% endfor %}",
                request))
        .isEqualTo("ac");
  }

  @Test
  void pythonStringMethods() {
    ChatRequest request = conversation("user", "<tool>a.b.c</tool>");

    assertThat(render("{{ messages[0].content.split('.') | join('|') }}", request))
        .as("split is literal, not a regex")
        .isEqualTo("<tool>a|b|c</tool>");
    assertThat(
            render(
                "{{ ' a  b '.split() | join(',') }}|{{ 'a,b,c'.split(',', 1) | join(';') }}",
                request))
        .isEqualTo("a,b|a;b,c");
    assertThat(
            render(
                "{{ messages[0].content.startswith('<tool>') }}"
                    + "{{ messages[0].content.endswith(('</x>', '</tool>')) }}",
                request))
        .isEqualTo("truetrue");
    assertThat(
            render(
                "{{ 'xxhixx'.strip('x') }}{{ '\\n\\nhi'.lstrip('\\n') }}{{ 'hi  '.rstrip() }}|",
                request))
        .isEqualTo("hihihi|");
    assertThat(
            render("{{ 'hello world'.title() }} {{ 'MiXeD'.lower() }} {{ 'up'.upper() }}", request))
        .isEqualTo("Hello World mixed UP");
    assertThat(
            render(
                "{{ '-'.join(['a', 'b']) }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'abcb'.count('b') }}",
                request))
        .isEqualTo("a-b bba 2");
    assertThat(render("{{ 'abc'.find('c') }}{{ 'abc'.find('z') }}", request)).isEqualTo("2-1");
  }

  @Test
  void tojsonIsJsonDumpsWithoutHtmlEscaping() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("b", "é <b>&'\"\n");
    value.put("a", List.of(1, 2.5, true));
    value.put("n", null);
    ChatRequest request = conversation("user", "x").toBuilder().variable("v", value).build();

    assertThat(render("{{ v | tojson }}", request))
        .isEqualTo("{\"b\": \"é <b>&'\\\"\\n\", \"a\": [1, 2.5, true], \"n\": null}");
    assertThat(render("{{ v.a | tojson(indent=2) }}", request))
        .isEqualTo("[\n  1,\n  2.5,\n  true\n]");
    assertThat(render("{{ v | tojson(sort_keys=true, separators=(',', ':')) }}", request))
        .isEqualTo("{\"a\":[1,2.5,true],\"b\":\"é <b>&'\\\"\\n\",\"n\":null}");
    assertThat(render("{{ v.b | tojson(ensure_ascii=true) }}", request))
        .isEqualTo("\"\\u00e9 <b>&'\\\"\\n\"");
  }

  @Test
  void strftimeNowFormatsLikePython() {
    ChatTemplate t =
        ChatTemplate.compile("{{ strftime_now('%d %b %Y|%B %-d, %Y|%H:%M:%S|%A %j|%%') }}")
            .withClock(JULY_26_2024);

    assertThat(t.render(conversation("user", "x")))
        .isEqualTo("26 Jul 2024|July 26, 2024|10:15:30|Friday 208|%");
  }

  @Test
  void specialTokensAreVariablesAndRequestVariablesOverrideThem() {
    ChatTemplate t =
        ChatTemplate.compile(
            "t", "{{ bos_token }}|{{ eos_token }}|{{ pad_token }}", "inline", MISTRAL);

    assertThat(t.render(conversation("user", "x"))).isEqualTo("<s>|</s>|");
    assertThat(
            t.render(conversation("user", "x").toBuilder().variable("eos_token", "<end>").build()))
        .isEqualTo("<s>|<end>|");
    assertThatThrownBy(
            () -> t.render(conversation("user", "x").toBuilder().variable("messages", "y").build()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'messages' is set by the ChatRequest itself");
  }

  @Test
  void toolsAndDocumentsAreNoneUnlessGiven() {
    String source = "{{ tools is none }},{{ documents is none }},{{ add_generation_prompt }}";

    assertThat(render(source, conversation("user", "x"))).isEqualTo("true,true,false");
  }

  @Test
  void lstripBlocksOnlyStripsFromTheStartOfALine() {
    ChatRequest request = conversation("user", "x");

    assertThat(render("x{% if true %}, {% endif %}y", request)).isEqualTo("x, y");
    assertThat(render("{% if true %}k   {% endif %}|", request)).isEqualTo("k   |");
    assertThat(render("p \n  {% if true %}q{% endif %}", request)).isEqualTo("p \nq");
    assertThat(render("  {# note #}\nx", request)).isEqualTo("x");
    assertThat(render("\t{%+ if true %}x{% endif %}", request)).isEqualTo("\tx");
  }

  @Test
  void macrosWithDefaultsAndKeywordArguments() {
    String source =
        "{% macro show(a, b='B') %}{{ a }}-{{ b }}{% endmacro %}{{ show('A') }},{{ show('A', b='C') }}";

    assertThat(render(source, conversation("user", "x"))).isEqualTo("A-B,A-C");
  }

  @Test
  void oneTrailingNewlineOfTheTemplateIsDropped() {
    assertThat(render("a\n", conversation("user", "x"))).isEqualTo("a");
    assertThat(render("a\n\n", conversation("user", "x"))).isEqualTo("a\n");
    assertThat(render("a\r\nb\r\n", conversation("user", "x"))).isEqualTo("a\nb");
  }

  @Test
  void generationTagRendersItsBody() {
    String source =
        "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}"
            + "{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}";

    assertThat(render(source, conversation("user", "q", "assistant", "a"))).isEqualTo("q|a|");
  }

  @Test
  void continueFinalMessageLeavesTheLastMessageOpen() {
    String chatml =
        "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}"
            + "{% endfor %}";
    ChatRequest request =
        conversation("user", "Hi", "assistant", "Sure, here").toBuilder()
            .continueFinalMessage(true)
            .build();

    assertThat(render(chatml, request))
        .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nSure, here");
    // A template that trims the message also trims the space the tag left behind.
    String trimming = "{% for m in messages %}[{{ m.content | trim }}]{% endfor %}";
    ChatRequest trailingSpace =
        conversation("user", "Hi", "assistant", "I am ").toBuilder()
            .continueFinalMessage(true)
            .build();
    assertThat(render(trimming, trailingSpace)).isEqualTo("[Hi][I am");
  }

  @Test
  void continueFinalMessageFailsWhenTheTemplateDropsTheMessage() {
    ChatRequest request =
        conversation("user", "Hi", "assistant", "partial").toBuilder()
            .continueFinalMessage(true)
            .build();

    assertThatThrownBy(
            () -> render("{% for m in messages[:-1] %}{{ m['content'] }}{% endfor %}", request))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("the final message does not appear in the chat");
  }

  @Test
  void requestRejectsWhatTransformersRejects() {
    assertThatThrownBy(() -> ChatRequest.builder().build())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("empty conversation");
    assertThatThrownBy(
            () ->
                ChatRequest.builder()
                    .message("user", "x")
                    .addGenerationPrompt(true)
                    .continueFinalMessage(true)
                    .build())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("not compatible");
  }

  @Test
  void compileRejectsSyntaxErrorsWithTheLine() {
    assertThatThrownBy(
            () ->
                ChatTemplate.compile(
                    "t", "ok\n{% if x %}\nnever closed", "x.jinja", SpecialTokens.NONE))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("Chat template 't' from x.jinja cannot be used")
        .hasMessageContaining("line 2")
        .hasMessageContaining("endif");
  }

  @Test
  void compileRejectsWhatJinjavaWouldMisrenderSilently() {
    assertThatThrownBy(() -> ChatTemplate.compile("{{ messages | nosuchfilter }}"))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("uses the filter 'nosuchfilter'");
    // A filter name inside a string literal is text, not a filter.
    assertThat(render("{{ 'a | nosuchfilter' }}", conversation("user", "x")))
        .isEqualTo("a | nosuchfilter");
  }

  @Test
  void runtimeFailuresNameTheTemplate() {
    assertThatThrownBy(() -> render("{{ messages | tojson(bogus=1) }}", conversation("user", "x")))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("Chat template 'default' from inline template failed to render");
  }
}
