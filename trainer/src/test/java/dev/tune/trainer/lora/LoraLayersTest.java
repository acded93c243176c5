package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.DenseWeight;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.model.LinearWeight;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoraLayersTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    manager.getEngine().setRandomSeed(5);
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** One decoder layer's projections (hidden 8, kv 4, mlp 16) and an output head. */
  private Map<String, Linear> llamaLike(DataType dtype) {
    Map<String, Linear> linears = new LinkedHashMap<>();
    add(linears, "model.layers.0.self_attn.q_proj", 8, 8, dtype);
    add(linears, "model.layers.0.self_attn.k_proj", 8, 4, dtype);
    add(linears, "model.layers.0.self_attn.v_proj", 8, 4, dtype);
    add(linears, "model.layers.0.self_attn.o_proj", 8, 8, dtype);
    add(linears, "model.layers.0.mlp.gate_proj", 8, 16, dtype);
    add(linears, "model.layers.0.mlp.up_proj", 8, 16, dtype);
    add(linears, "model.layers.0.mlp.down_proj", 16, 8, dtype);
    add(linears, "lm_head", 8, 32, dtype);
    return linears;
  }

  private void add(Map<String, Linear> linears, String name, int in, int out, DataType dtype) {
    NDArray w = manager.randomNormal(new Shape(out, in)).toType(dtype, false);
    linears.put(name, new Linear(name, in, out, new DenseWeight(w), null, dtype));
  }

  private static LoraConfig config(TargetModules targets) {
    return LoraConfig.builder().r(2).loraAlpha(4).targetModules(targets).build();
  }

  @Test
  void allLinearAdaptsEveryProjectionButTheHead() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT32);

    LoraLayers layers = LoraLayers.inject(linears, config(TargetModules.allLinear()), 1, manager);

    assertThat(layers.adapters()).hasSize(7).doesNotContainKey("lm_head");
    assertThat(linears.get("lm_head").adapter()).isEmpty();
    layers
        .adapters()
        .forEach(
            (module, adapter) -> {
              assertThat(linears.get(module).adapter()).containsSame(adapter);
              assertThat(adapter.inFeatures()).isEqualTo(linears.get(module).inFeatures());
              assertThat(adapter.outFeatures()).isEqualTo(linears.get(module).outFeatures());
            });
  }

  @Test
  void parametersCarryPeftNamesInModuleOrder() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT32);

    LoraLayers layers =
        LoraLayers.inject(
            linears, config(TargetModules.names(List.of("q_proj", "v_proj"))), 1, manager);

    assertThat(layers.parameters().keySet())
        .containsExactly(
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
            "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
            "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight",
            "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight");
    // r·(in + out) per adapter: 2·(8+8) + 2·(8+4)
    assertThat(layers.parameterCount()).isEqualTo(56);
    assertThat(layers.parameters().values()).allMatch(NDArray::hasGradient);
  }

  @Test
  void freshAdaptersLeaveTheModelUnchangedAndAreReproducible() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT32);
    NDArray x = manager.randomNormal(new Shape(3, 8));
    float[] before = linears.get("model.layers.0.mlp.up_proj").forward(x).toFloatArray();

    LoraLayers first = LoraLayers.inject(linears, config(TargetModules.allLinear()), 99, manager);
    float[] after = linears.get("model.layers.0.mlp.up_proj").forward(x).toFloatArray();
    first.detach(linears);
    LoraLayers again = LoraLayers.inject(linears, config(TargetModules.allLinear()), 99, manager);
    again.detach(linears);
    LoraLayers other = LoraLayers.inject(linears, config(TargetModules.allLinear()), 100, manager);

    assertThat(after).containsExactly(before);
    first
        .adapters()
        .forEach(
            (module, adapter) -> {
              assertThat(again.adapters().get(module).loraA().toFloatArray())
                  .containsExactly(adapter.loraA().toFloatArray());
              assertThat(other.adapters().get(module).loraA().toFloatArray())
                  .isNotEqualTo(adapter.loraA().toFloatArray());
            });
    // each module draws from its own stream
    assertThat(first.adapters().get("model.layers.0.self_attn.q_proj").loraA().toFloatArray())
        .isNotEqualTo(
            first.adapters().get("model.layers.0.self_attn.o_proj").loraA().toFloatArray());
  }

  @Test
  void aLayerTakesOneAdapter() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT32);
    LoraLayers.inject(linears, config(TargetModules.names(List.of("q_proj"))), 1, manager);

    assertThatThrownBy(
            () -> LoraLayers.inject(linears, config(TargetModules.allLinear()), 1, manager))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("q_proj already carries");
  }

  @Test
  void attachRefusesAdaptersOfAnotherModel() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT32);
    LoraConfig qv = config(TargetModules.names(List.of("q_proj", "v_proj")));
    LoraAdapter q = adapter(8, 8, qv);

    assertThatThrownBy(
            () -> LoraLayers.attach(linears, qv, Map.of("model.layers.0.self_attn.q_proj", q)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another model");
    assertThatThrownBy(
            () ->
                LoraLayers.attach(
                    linears,
                    qv,
                    Map.of(
                        "model.layers.0.self_attn.q_proj",
                        q,
                        "model.layers.0.self_attn.v_proj",
                        adapter(8, 8, qv))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v_proj: the adapter maps 8 to 8 features but the layer maps 8 to 4");
    assertThat(linears.get("model.layers.0.self_attn.q_proj").adapter()).isEmpty();
  }

  @Test
  void mergeAndUnloadComputesWhatTheAdaptedLayersComputed() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT32);
    LoraLayers layers = attachRandom(linears, config(TargetModules.allLinear()));
    NDArray x = manager.randomNormal(new Shape(5, 8));
    NDArray h = manager.randomNormal(new Shape(5, 16));
    float[] adaptedQ = linears.get("model.layers.0.self_attn.q_proj").forward(x).toFloatArray();
    float[] adaptedDown = linears.get("model.layers.0.mlp.down_proj").forward(h).toFloatArray();
    NDArray oldQ = ((DenseWeight) linears.get("model.layers.0.self_attn.q_proj").weight()).array();

    Map<String, LinearWeight> replaced =
        new LoraMerger(manager, DataType.FLOAT32).mergeAndUnload(linears, layers);

    assertThat(replaced).hasSize(7);
    assertThat(((DenseWeight) replaced.get("model.layers.0.self_attn.q_proj")).array())
        .isSameAs(oldQ);
    assertThat(linears.values()).allMatch(l -> l.adapter().isEmpty());
    assertClose(linears.get("model.layers.0.self_attn.q_proj").forward(x), adaptedQ, 1e-5f);
    assertClose(linears.get("model.layers.0.mlp.down_proj").forward(h), adaptedDown, 1e-5f);
  }

  @Test
  void mergeKeepsAHalfPrecisionBaseInHalfPrecision() {
    Map<String, Linear> linears = llamaLike(DataType.FLOAT16);
    LoraLayers layers = attachRandom(linears, config(TargetModules.names(List.of("o_proj"))));
    LoraAdapter adapter = layers.adapters().get("model.layers.0.self_attn.o_proj");
    Linear o = linears.get("model.layers.0.self_attn.o_proj");
    NDArray base = ((DenseWeight) o.weight()).array();
    NDArray expected =
        base.toType(DataType.FLOAT32, false)
            .add(adapter.loraB().matMul(adapter.loraA()).mul(2))
            .toType(DataType.FLOAT16, false);

    new LoraMerger(manager, DataType.FLOAT32).mergeAndUnload(linears, layers);

    NDArray merged = ((DenseWeight) o.weight()).array();
    assertThat(merged.getDataType()).isEqualTo(DataType.FLOAT16);
    assertThat(merged.getManager()).isSameAs(manager);
    assertThat(merged.toType(DataType.FLOAT32, false).toFloatArray())
        .containsExactly(expected.toType(DataType.FLOAT32, false).toFloatArray());
  }

  /** Adapters with random A and B (peft's fresh B is zero, which would make merging trivial). */
  private LoraLayers attachRandom(Map<String, Linear> linears, LoraConfig config) {
    Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
    for (String module : config.targetModules().select(linears.keySet())) {
      Linear linear = linears.get(module);
      adapters.put(
          module,
          adapter(
              Math.toIntExact(linear.inFeatures()), Math.toIntExact(linear.outFeatures()), config));
    }
    return LoraLayers.attach(linears, config, adapters);
  }

  private LoraAdapter adapter(int in, int out, LoraConfig config) {
    return LoraAdapter.of(
        manager.randomNormal(new Shape(config.r(), in)),
        manager.randomNormal(new Shape(out, config.r())),
        config);
  }

  private static void assertClose(NDArray actual, float[] expected, float tolerance) {
    float[] values = actual.toFloatArray();
    assertThat(values).hasSameSizeAs(expected);
    float worst = 0;
    for (int i = 0; i < values.length; i++) {
      worst = Math.max(worst, Math.abs(values[i] - expected[i]));
    }
    assertThat(worst).isLessThan(tolerance);
  }
}
