package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.DenseWeight;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdapterDirTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void loadsThePeftWrittenFixture() {
    PeftAdapterDir.Loaded loaded =
        PeftAdapterDir.load(Fixtures.adapterDir("falcon-newarch-lora"), manager);

    assertThat(loaded.config().r()).isEqualTo(2);
    assertThat(loaded.adapters().keySet())
        .containsExactly(
            "transformer.h.0.mlp.dense_4h_to_h",
            "transformer.h.0.self_attention.query_key_value",
            "transformer.h.1.mlp.dense_4h_to_h",
            "transformer.h.1.self_attention.query_key_value");
    LoraAdapter qkv = loaded.adapters().get("transformer.h.1.self_attention.query_key_value");
    assertThat(qkv.loraA().getShape()).isEqualTo(new Shape(2, 64));
    assertThat(qkv.loraB().getShape()).isEqualTo(new Shape(128, 2));
    assertThat(qkv.loraA().getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(qkv.scaling()).isEqualTo(2);
  }

  @Test
  void savingWhatWasLoadedReproducesPeftsTensorsBitForBit(@TempDir Path dir) {
    Path fixture = Fixtures.adapterDir("llama-lora");
    PeftAdapterDir.Loaded loaded = PeftAdapterDir.load(fixture, manager);
    Map<String, Linear> linears = linearsFor(loaded);
    LoraLayers layers = LoraLayers.attach(linears, loaded.config(), loaded.adapters());

    PeftAdapterDir.save(dir, layers);

    try (SafetensorsFile ours = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"));
        SafetensorsFile peft = SafetensorsFile.open(fixture.resolve("adapter_model.safetensors"))) {
      assertThat(ours.names()).isEqualTo(peft.names());
      assertThat(ours.metadata()).isEqualTo(peft.metadata()).containsEntry("format", "pt");
      for (String name : peft.names()) {
        assertThat(ours.info(name).dtype()).isEqualTo(peft.info(name).dtype());
        assertThat(ours.bytes(name)).as(name).isEqualTo(peft.bytes(name));
      }
    }
    assertThat(AdapterConfigJson.read(dir)).isEqualTo(loaded.config());
    assertThat(dir.resolve("adapter_model.safetensors"))
        .hasSameBinaryContentAs(fixture.resolve("adapter_model.safetensors"));
  }

  @Test
  void aTrainedAdapterRoundTripsThroughDisk(@TempDir Path dir) {
    Map<String, Linear> linears = new LinkedHashMap<>();
    for (String name :
        List.of("model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj", "lm_head")) {
      linears.put(
          name,
          new Linear(
              name, 8, 6, new DenseWeight(manager.zeros(new Shape(6, 8))), null, DataType.FLOAT32));
    }
    LoraConfig config =
        LoraConfig.builder()
            .r(4)
            .loraAlpha(16)
            .loraDropout(0.05)
            .useRslora(true)
            .targetModules(TargetModules.allLinear())
            .baseModelNameOrPath("TinyLlama/TinyLlama-1.1B")
            .build();
    LoraLayers layers = LoraLayers.inject(linears, config, 11, manager);

    PeftAdapterDir.save(dir, layers);
    PeftAdapterDir.Loaded loaded = PeftAdapterDir.load(dir, manager);

    // all-linear is written resolved, as peft 0.21 does
    assertThat(loaded.config())
        .isEqualTo(
            config.toBuilder()
                .targetModules(
                    TargetModules.names(
                        List.of("model.layers.0.mlp.down_proj", "model.layers.0.self_attn.q_proj")))
                .build());
    assertThat(loaded.adapters().keySet()).isEqualTo(layers.adapters().keySet());
    layers
        .adapters()
        .forEach(
            (module, adapter) -> {
              LoraAdapter back = loaded.adapters().get(module);
              assertThat(back.loraA().toFloatArray())
                  .containsExactly(adapter.loraA().toFloatArray());
              assertThat(back.loraB().toFloatArray())
                  .containsExactly(adapter.loraB().toFloatArray());
              assertThat(back.scaling()).isEqualTo(adapter.scaling());
              assertThat(back.dropout()).isEqualTo(adapter.dropout());
            });
  }

  @Test
  void refusesADirectoryWithoutSafetensorsWeights(@TempDir Path dir) throws IOException {
    Files.copy(
        Fixtures.adapterDir("mistral-lora").resolve("adapter_config.json"),
        dir.resolve("adapter_config.json"));

    assertThatThrownBy(() -> PeftAdapterDir.load(dir, manager))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no adapter_model.safetensors");
  }

  @Test
  void refusesAnAdapterForAnotherModel() {
    Map<String, Linear> linears = new LinkedHashMap<>();
    for (String name :
        List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj")) {
      linears.put(
          name,
          new Linear(
              name,
              64,
              64,
              new DenseWeight(manager.zeros(new Shape(64, 64))),
              null,
              DataType.FLOAT32));
    }

    // mistral's v_proj maps 64 to 32
    assertThatThrownBy(
            () -> PeftAdapterDir.attach(Fixtures.adapterDir("mistral-lora"), linears, manager))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mistral-lora")
        .hasMessageContaining("another model");
  }

  /** Linears shaped like the adapters' layers, so that {@link LoraLayers#attach} accepts them. */
  private Map<String, Linear> linearsFor(PeftAdapterDir.Loaded loaded) {
    Map<String, Linear> linears = new LinkedHashMap<>();
    loaded
        .adapters()
        .forEach(
            (module, adapter) -> {
              NDArray w = manager.zeros(new Shape(adapter.outFeatures(), adapter.inFeatures()));
              linears.put(
                  module,
                  new Linear(
                      module,
                      adapter.inFeatures(),
                      adapter.outFeatures(),
                      new DenseWeight(w),
                      null,
                      DataType.FLOAT32));
            });
    return linears;
  }
}
