package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import org.junit.jupiter.api.Test;

class ComputePrecisionTest {

  private static final TrainingArguments DEFAULTS = TrainingArguments.defaults();

  @Test
  void theCpuComputesInFloat32AndSaysSoWhenAskedForLess() {
    ComputePrecision p = ComputePrecision.resolve(Device.cpu(), QuantizationSpec.qlora(), DEFAULTS);
    assertThat(p.computeDtype()).isEqualTo(DataType.FLOAT32);
    assertThat(p.lossScaling()).isFalse();
    assertThat(p.warning()).hasValueSatisfying(w -> assertThat(w).contains("bfloat16", "CPU"));
  }

  @Test
  void bfloat16BecomesFloat16WithLossScalingOnAGpu() {
    ComputePrecision p = ComputePrecision.resolve(Device.gpu(), QuantizationSpec.qlora(), DEFAULTS);
    assertThat(p.computeDtype()).isEqualTo(DataType.FLOAT16);
    assertThat(p.parameterDtype()).isEqualTo(DataType.FLOAT32);
    assertThat(p.lossScaling()).isTrue();
    assertThat(p.warning())
        .hasValueSatisfying(w -> assertThat(w).contains("bfloat16", "float16", "aborts the JVM"));
  }

  @Test
  void fp16IsTakenAsAskedWithoutAWarning() {
    ComputePrecision p =
        ComputePrecision.resolve(
            Device.gpu(), QuantizationSpec.qlora(), TrainingArguments.builder().fp16(true).build());
    assertThat(p.computeDtype()).isEqualTo(DataType.FLOAT16);
    assertThat(p.lossScaling()).isTrue();
    assertThat(p.warning()).isEmpty();
  }

  @Test
  void aDenseModelWithoutMixedPrecisionTrainsInFloat32() {
    ComputePrecision p = ComputePrecision.resolve(Device.gpu(), QuantizationSpec.none(), DEFAULTS);
    assertThat(p).isEqualTo(ComputePrecision.float32());
  }
}
