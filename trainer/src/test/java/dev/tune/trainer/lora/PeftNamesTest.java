package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeftNamesTest {

  @Test
  void namesAndParsesAsPeftSaves() {
    String module = "model.layers.0.self_attn.q_proj";

    assertThat(PeftNames.loraA(module))
        .isEqualTo("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
    assertThat(PeftNames.loraB(module))
        .isEqualTo("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");
    assertThat(PeftNames.parse(PeftNames.loraA(module)))
        .contains(new PeftNames.Key(module, PeftNames.Part.A));
    assertThat(PeftNames.parse(PeftNames.loraB(module)))
        .contains(new PeftNames.Key(module, PeftNames.Part.B));
  }

  @Test
  void otherTensorsAreNotLoraWeights() {
    assertThat(PeftNames.parse("model.layers.0.self_attn.q_proj.lora_A.weight")).isEmpty();
    assertThat(PeftNames.parse("base_model.model.model.layers.0.self_attn.q_proj.weight"))
        .isEmpty();
    assertThat(PeftNames.parse("base_model.model.x.lora_A.default.weight")).isEmpty();
    assertThat(PeftNames.parse("base_model.model.lm_head.lora_embedding_A")).isEmpty();
    assertThat(PeftNames.parse("base_model.model..lora_A.weight")).isEmpty();
  }
}
