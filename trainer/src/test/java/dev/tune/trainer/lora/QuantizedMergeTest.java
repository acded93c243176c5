package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DenseWeight;
import dev.tune.trainer.model.LinearWeightFactory;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.quant.Nf4Tensor;
import dev.tune.trainer.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Merging an adapter into an NF4-quantized base ({@code --from-quantized}). */
class QuantizedMergeTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** Every projection but the head in NF4 with double quantization, as QLoRA loads a model. */
  private static final LinearWeightFactory NF4 =
      (name, weight, computeDtype) -> {
        if (name.equals(CausalLm.LM_HEAD)) {
          return LinearWeightFactory.dense().create(name, weight, computeDtype);
        }
        Nf4Tensor quantized = Nf4Tensor.quantize(weight, true);
        weight.close();
        return quantized::dequantize;
      };

  @Test
  void mergesIntoTheDequantizedWeight() {
    Path adapter = Fixtures.adapterDir("llama-lora");
    try (CausalLm quantized = load("llama", NF4);
        CausalLm dense = load("llama", LinearWeightFactory.dense());
        SafetensorsFile reference =
            SafetensorsFile.open(adapter.resolve("reference.safetensors"))) {
      LoraLayers layers = PeftAdapterDir.attach(adapter, quantized.linears(), quantized.manager());
      Map<String, NDArray> dequantized = new TreeMap<>();
      for (String module : layers.adapters().keySet()) {
        dequantized.put(module, quantized.linears().get(module).weight().dense(DataType.FLOAT32));
      }

      new LoraMerger(quantized.manager(), DataType.FLOAT16)
          .mergeAndUnload(quantized.linears(), layers);

      float worst = 0;
      for (String module : layers.adapters().keySet()) {
        NDArray merged = ((DenseWeight) quantized.linears().get(module).weight()).array();
        assertThat(merged.getDataType()).isEqualTo(DataType.FLOAT16);
        // peft's delta, recovered from its merge of the unquantized base
        NDArray original = ((DenseWeight) dense.linears().get(module).weight()).array();
        NDArray delta = reference.load("merged." + module + ".weight", manager).sub(original);
        NDArray expected = dequantized.get(module).add(delta).toType(DataType.FLOAT16, false);
        float diff =
            merged
                .toType(DataType.FLOAT32, false)
                .sub(expected.toType(DataType.FLOAT32, false))
                .abs()
                .max()
                .getFloat();
        worst = Math.max(worst, diff);
      }
      System.out.printf(
          "llama NF4 merge (fp16) max abs diff vs dequant(W) + peft delta = %.3e%n", worst);
      // the delta recovered from peft's fp32 merge carries fp32 rounding, which can tip an fp16
      // rounding: allow one fp16 step of values below 4
      assertThat(worst).isLessThanOrEqualTo(2e-3f);
    }
  }

  @Test
  void theMergedModelComputesWhatTheQuantizedModelWithItsAdapterComputed() {
    Path adapter = Fixtures.adapterDir("llama-lora");
    try (CausalLm model = load("llama", NF4);
        SafetensorsFile reference =
            SafetensorsFile.open(adapter.resolve("reference.safetensors"))) {
      NDArray ids = reference.load("input_ids", manager);
      LoraLayers layers = PeftAdapterDir.attach(adapter, model.linears(), model.manager());
      NDArray adapted = model.logits(ids);

      new LoraMerger(model.manager(), DataType.FLOAT32).mergeAndUnload(model.linears(), layers);
      NDArray merged = model.logits(ids);

      float diff = merged.sub(adapted).abs().max().getFloat();
      System.out.printf("llama NF4 + adapter vs merged (fp32) logits max abs diff = %.3e%n", diff);
      assertThat(diff).isLessThanOrEqualTo(1e-4f);
      // and the quantized model is not the reference model: the comparison above is not vacuous
      assertThat(merged.sub(reference.load("logits", manager)).abs().max().getFloat())
          .isGreaterThan(1e-3f);
    }
  }

  private CausalLm load(String fixture, LinearWeightFactory weights) {
    return Fixtures.model(fixture, manager, LoadOptions.defaults().withLinearWeights(weights));
  }
}
