package dev.tune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

  @Test
  void dollyTemplateWithInput() {
    PromptTemplate.Rendered r =
        PromptTemplate.DOLLY.render(
            Map.of("instruction", "Summarize.", "input", "A long text.", "response", "Short."));

    assertThat(r.prompt())
        .isEqualTo(
            "Below is an instruction that describes a task. Write a response that appropriately"
                + " completes the request.\n\n### Instruction:\nSummarize.\n\nInput:\nA long"
                + " text.\n\n### Response:\n");
    assertThat(r.completion()).isEqualTo("Short.\n\n### End");
  }

  @Test
  void paragraphWithOnlyEmptyPlaceholdersIsLeftOut() {
    PromptTemplate.Rendered r =
        PromptTemplate.DOLLY.render(
            Map.of("instruction", "Say hi.", "input", "", "response", "Hi"));

    assertThat(r.prompt()).endsWith("### Instruction:\nSay hi.\n\n### Response:\n");
    assertThat(r.prompt()).doesNotContain("Input:");
    assertThat(r.completion()).isEqualTo("Hi\n\n### End");
  }

  @Test
  void userTemplateWithAnyFieldAndLiteralBraces() {
    PromptTemplate t =
        PromptTemplate.parse("[{category}] Q: {instruction} {{json}}\nA: {response}");

    PromptTemplate.Rendered r =
        t.render(Map.of("category", "qa", "instruction", "Why?", "response", "Because."));

    assertThat(t.fields()).containsExactly("category", "instruction", "response");
    assertThat(r.prompt()).isEqualTo("[qa] Q: Why? {json}\nA: ");
    assertThat(r.completion()).isEqualTo("Because.");
  }

  @Test
  void badTemplatesSayWhy() {
    assertThatThrownBy(() -> PromptTemplate.parse("Q: {instruction}"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("{response} placeholder exactly once");
    assertThatThrownBy(() -> PromptTemplate.parse("Q: {instruction\nA: {response}"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("is not closed");
    assertThatThrownBy(() -> PromptTemplate.parse("Q: } {response}"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("has no '{' before it");
  }
}
