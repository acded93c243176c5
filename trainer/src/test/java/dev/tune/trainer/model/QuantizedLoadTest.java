package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.quant.Nf4Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quantizer plugs in at load through {@link LinearWeightFactory}. */
class QuantizedLoadTest {

  private static final LinearWeightFactory NF4_EXCEPT_HEAD =
      (name, weight, computeDtype) -> {
        if (name.equals(CausalLm.LM_HEAD)) {
          return LinearWeightFactory.dense().create(name, weight, computeDtype);
        }
        Nf4Tensor nf4 = Nf4Tensor.quantize(weight, true);
        weight.close();
        return nf4::dequantize;
      };

  @Test
  void nf4WeightsComputeWhatTheirDequantizedDenseFormComputes() {
    Path dir = Fixtures.dir("llama");
    try (NDManager m = NDManager.newBaseManager();
        CausalLm quantized =
            CausalLm.load(dir, m, LoadOptions.defaults().withLinearWeights(NF4_EXCEPT_HEAD));
        CausalLm dense = CausalLm.load(dir, m, LoadOptions.defaults())) {
      for (Map.Entry<String, Linear> e : dense.linears().entrySet()) {
        if (!e.getKey().equals(CausalLm.LM_HEAD)) {
          NDArray w = ((DenseWeight) e.getValue().weight()).array();
          try (Nf4Tensor nf4 = Nf4Tensor.quantize(w, true)) {
            NDArray roundTripped = nf4.dequantize(DataType.FLOAT32, dense.manager());
            e.getValue().replaceWeight(new DenseWeight(roundTripped));
          }
        }
      }
      assertThat(quantized.linears().get("model.layers.0.mlp.up_proj").weight())
          .isNotInstanceOf(DenseWeight.class);
      assertThat(quantized.linears().get(CausalLm.LM_HEAD).weight())
          .isInstanceOf(DenseWeight.class);
      assertThat(quantized.parameters())
          .containsKeys("model.norm.weight", "lm_head.weight")
          .doesNotContainKey("model.layers.0.mlp.up_proj.weight");

      NDArray ids = m.create(new long[] {0, 17, 230, 5, 99, 411, 3}, new Shape(1, 7));
      int held = quantized.manager().getManagedArrays().size();
      NDArray a = quantized.logits(ids);
      quantized.logits(ids).close();
      // Each pass dequantizes every projection; none of those arrays may stay behind.
      assertThat(quantized.manager().getManagedArrays()).hasSize(held);
      NDArray b = dense.logits(ids);
      assertThat(a.sub(b).abs().max().getFloat()).isLessThanOrEqualTo(1e-5f);
      NDArray unquantized;
      try (CausalLm original = CausalLm.load(dir, m, LoadOptions.defaults())) {
        unquantized = original.logits(ids);
      }
      assertThat(a.sub(unquantized).abs().max().getFloat()).isGreaterThan(1e-3f);
    }
  }
}
