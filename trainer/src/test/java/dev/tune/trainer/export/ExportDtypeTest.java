package dev.tune.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExportDtypeTest {

  @ParameterizedTest
  @CsvSource({
    "bf16, BF16",
    "BFloat16, BF16",
    "fp16, FP16",
    "half, FP16",
    "float16, FP16",
    "fp32, FP32",
    "float32, FP32",
    "torch.float32, FP32"
  })
  void acceptsShortAndTorchNames(String text, ExportDtype dtype) {
    assertThat(ExportDtype.parse(text)).isEqualTo(dtype);
  }

  @Test
  void namesTheChoicesWhenUnknown() {
    assertThatThrownBy(() -> ExportDtype.parse("int8"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'int8'")
        .satisfies(e -> assertThat(((BadInputException) e).fix()).contains("bf16, fp16 or fp32"));
  }

  @Test
  void writesTorchNamesInConfigJson() {
    assertThat(ExportDtype.BF16.torchName()).isEqualTo("bfloat16");
    assertThat(ExportDtype.FP16.torchName()).isEqualTo("float16");
    assertThat(ExportDtype.FP32.torchName()).isEqualTo("float32");
  }
}
