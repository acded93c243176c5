package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DenseWeight;
import dev.tune.trainer.model.Linear;
import dev.tune.trainer.optim.TrainableParameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SingleThreadedTorch.class)
class QloraModelPreparerTest extends ManagerPerTest {

  @Test
  void quantizesEveryProjectionButTheHeadOnceAtLoad() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 1)) {
      Map<String, Linear> linears = model.model().linears();
      assertThat(linears).hasSize(2 * 7 + 1);
      for (Linear linear : linears.values()) {
        if (linear.name().equals(CausalLm.LM_HEAD)) {
          assertThat(linear.weight()).isInstanceOf(DenseWeight.class);
        } else {
          assertThat(linear.weight())
              .isInstanceOfSatisfying(
                  Nf4Weight.class,
                  w -> {
                    assertThat(w.tensor().blocksize()).isEqualTo(64);
                    assertThat(w.tensor().isDoubleQuantized()).isTrue();
                  });
        }
      }
      assertThat(model.quantizedModules()).hasSize(14).doesNotContain(CausalLm.LM_HEAD);
      // the embeddings are a plain dense parameter
      assertThat(model.model().parameters()).containsKey("model.embed_tokens.weight");
    }
  }

  @Test
  void quantizationNoneKeepsDenseWeights() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.none(), TrainFixtures.ALL_LINEAR, 1)) {
      assertThat(model.model().linears().values())
          .allSatisfy(l -> assertThat(l.weight()).isInstanceOf(DenseWeight.class));
      assertThat(model.quantizedModules()).isEmpty();
    }
  }

  @Test
  void normsAndEmbeddingsStayFloat32WhileProjectionsComputeInHalf() {
    ComputePrecision half =
        new ComputePrecision(DataType.FLOAT16, DataType.FLOAT32, true, java.util.Optional.empty());
    try (QloraModel model =
        new QloraModelPreparer(QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, half, 1)
            .prepare(TrainFixtures.fixture("llama"), "llama", manager)) {
      Map<String, NDArray> params = model.model().parameters();
      assertThat(params.get("model.norm.weight").getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(params.get("model.layers.0.input_layernorm.weight").getDataType())
          .isEqualTo(DataType.FLOAT32);
      assertThat(params.get("model.embed_tokens.weight").getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(model.model().computeDtype()).isEqualTo(DataType.FLOAT16);
      assertThat(model.model().linears().get("model.layers.0.mlp.up_proj").computeDtype())
          .isEqualTo(DataType.FLOAT16);
    }
  }

  @Test
  void onlyTheLoraWeightsRecordGradients() {
    try (QloraModel model =
        TrainFixtures.llama(manager, QuantizationSpec.none(), TrainFixtures.ALL_LINEAR, 1)) {
      assertThat(model.model().parameters().values()).noneMatch(NDArray::hasGradient);
      List<TrainableParameter> trainable = model.trainableParameters();
      assertThat(trainable).hasSize(2 * 14);
      assertThat(trainable).allMatch(p -> p.array().hasGradient());
      assertThat(trainable.get(0).name())
          .isEqualTo("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight");
    }
  }

  @Test
  void defaultTargetsArePeftsForTheArchitecture() {
    LoraSpec defaults = LoraSpec.defaults();
    try (QloraModel model = TrainFixtures.llama(manager, QuantizationSpec.qlora(), defaults, 1)) {
      assertThat(model.lora().adapters().keySet())
          .containsExactly(
              "model.layers.0.self_attn.q_proj",
              "model.layers.0.self_attn.v_proj",
              "model.layers.1.self_attn.q_proj",
              "model.layers.1.self_attn.v_proj");
      assertThat(model.lora().config().scaling()).isEqualTo(1.0);
    }
  }

  @Test
  void theSeedDecidesTheAdapterInitialisation() {
    try (QloraModel a =
            TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 5);
        QloraModel b =
            TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 5);
        QloraModel c =
            TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 6)) {
      String module = "model.layers.1.self_attn.o_proj";
      float[] first = a.lora().adapters().get(module).loraA().toFloatArray();
      assertThat(b.lora().adapters().get(module).loraA().toFloatArray()).containsExactly(first);
      assertThat(c.lora().adapters().get(module).loraA().toFloatArray()).isNotEqualTo(first);
    }
  }
}
