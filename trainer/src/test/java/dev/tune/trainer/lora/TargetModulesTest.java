package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetModulesTest {

  private static final List<String> LLAMA_LINEARS =
      List.of(
          "model.layers.0.self_attn.q_proj",
          "model.layers.0.self_attn.k_proj",
          "model.layers.0.self_attn.v_proj",
          "model.layers.0.self_attn.o_proj",
          "model.layers.0.mlp.gate_proj",
          "model.layers.0.mlp.up_proj",
          "model.layers.0.mlp.down_proj",
          "model.layers.1.self_attn.q_proj",
          "model.layers.1.self_attn.v_proj",
          "lm_head");

  @Test
  void shortNamesMatchTheLastComponentOnly() {
    TargetModules targets = TargetModules.names(List.of("q_proj", "v_proj"));

    assertThat(targets.select(LLAMA_LINEARS))
        .containsExactly(
            "model.layers.0.self_attn.q_proj",
            "model.layers.0.self_attn.v_proj",
            "model.layers.1.self_attn.q_proj",
            "model.layers.1.self_attn.v_proj");
    // "proj" is a suffix of "q_proj" but not a whole component after a dot
    assertThat(TargetModules.names(List.of("proj")).matches("model.layers.0.self_attn.q_proj"))
        .isFalse();
  }

  @Test
  void fullNamesMatchExactlyAsPeftWritesThemForAllLinear() {
    TargetModules targets =
        TargetModules.names(
            List.of("model.layers.1.self_attn.v_proj", "model.layers.0.mlp.down_proj"));

    assertThat(targets.select(LLAMA_LINEARS))
        .containsExactly("model.layers.0.mlp.down_proj", "model.layers.1.self_attn.v_proj");
  }

  @Test
  void dottedPartialNamesMatchAsSuffix() {
    assertThat(TargetModules.names(List.of("self_attn.q_proj")).select(LLAMA_LINEARS))
        .containsExactly("model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj");
  }

  @Test
  void allLinearSkipsOnlyTheOutputHead() {
    List<String> selected = TargetModules.allLinear().select(LLAMA_LINEARS);

    assertThat(selected).hasSize(LLAMA_LINEARS.size() - 1).doesNotContain("lm_head");
  }

  @Test
  void aStringIsAllLinearInAnyCaseOrElseAFullMatchRegex() {
    assertThat(TargetModules.fromString("ALL-Linear")).isEqualTo(TargetModules.allLinear());

    TargetModules regex = TargetModules.fromString(".*\\.layers\\.1\\..*_proj");
    assertThat(regex.select(LLAMA_LINEARS))
        .containsExactly("model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");
    // full match, not search: a pattern for a substring matches nothing
    assertThat(TargetModules.fromString("q_proj").matches("model.layers.0.self_attn.q_proj"))
        .isFalse();
  }

  @Test
  void targetsThatMatchNothingAreRefusedWithTheNamesAtHand() {
    assertThatThrownBy(() -> TargetModules.names(List.of("query_key_value")).select(LLAMA_LINEARS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query_key_value")
        .hasMessageContaining("model.layers.0.self_attn.q_proj");
  }

  @Test
  void badListsAndPatternsAreRefused() {
    assertThatThrownBy(() -> TargetModules.names(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> TargetModules.regex("q_proj("))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("regular expression");
  }
}
