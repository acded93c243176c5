package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PeftAdapterWeightsTest {

  private static final LoraConfig CONFIG =
      LoraConfig.builder()
          .r(2)
          .loraAlpha(4)
          .targetModules(TargetModules.names(List.of("q_proj", "v_proj")))
          .build();

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private Map<String, NDArray> qv() {
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    tensors.put(
        "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight",
        manager.arange(16f).reshape(2, 8));
    tensors.put(
        "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight",
        manager.arange(8f).reshape(4, 2));
    tensors.put(
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
        manager.ones(new Shape(8, 2)));
    tensors.put(
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
        manager.zeros(new Shape(2, 8)));
    return tensors;
  }

  @Test
  void pairsAAndBByModule() {
    Map<String, NDArray> tensors = qv();

    SortedMap<String, LoraAdapter> adapters = PeftAdapterWeights.adapters(tensors, CONFIG);

    assertThat(adapters.keySet())
        .containsExactly("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj");
    LoraAdapter v = adapters.get("model.layers.0.self_attn.v_proj");
    assertThat(v.loraA())
        .isSameAs(tensors.get("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight"));
    assertThat(v.loraB())
        .isSameAs(tensors.get("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"));
    assertThat(v.scaling()).isEqualTo(2);
    assertThat(v.inFeatures()).isEqualTo(8);
    assertThat(v.outFeatures()).isEqualTo(4);
  }

  @Test
  void refusesForeignTensorsNamingThem() {
    Map<String, NDArray> tensors = qv();
    tensors.put(
        "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector",
        manager.ones(new Shape(8)));
    tensors.put("base_model.model.lm_head.weight", manager.ones(new Shape(4, 8)));

    assertThatThrownBy(() -> PeftAdapterWeights.adapters(tensors, CONFIG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lora_magnitude_vector")
        .hasMessageContaining("base_model.model.lm_head.weight");
  }

  @Test
  void refusesAHalfWithoutTheOther() {
    Map<String, NDArray> tensors = qv();
    tensors.remove("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");

    assertThatThrownBy(() -> PeftAdapterWeights.adapters(tensors, CONFIG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "lacks [base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight]");
  }

  @Test
  void refusesShapesOfAnotherRankNamingTheModule() {
    LoraConfig rank4 = CONFIG.toBuilder().r(4).build();

    assertThatThrownBy(() -> PeftAdapterWeights.adapters(qv(), rank4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.layers.0.self_attn.q_proj: ")
        .hasMessageContaining("r=4");
  }

  @Test
  void refusesAnEmptyAdapter() {
    assertThatThrownBy(() -> PeftAdapterWeights.adapters(Map.of(), CONFIG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no LoRA weights");
  }
}
