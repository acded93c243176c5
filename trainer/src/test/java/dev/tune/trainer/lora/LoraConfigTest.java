package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoraConfigTest {

  private static LoraConfig.Builder qv() {
    return LoraConfig.builder().targetModules(TargetModules.names(List.of("q_proj", "v_proj")));
  }

  @Test
  void scalingIsAlphaOverRank() {
    assertThat(qv().r(4).loraAlpha(8).build().scaling()).isEqualTo(2.0);
    assertThat(qv().r(16).loraAlpha(32).build().scaling()).isEqualTo(2.0);
  }

  @Test
  void rsloraScalingIsAlphaOverSquareRootOfRank() {
    assertThat(qv().r(4).loraAlpha(16).useRslora(true).build().scaling()).isEqualTo(8.0);
    assertThat(qv().r(8).loraAlpha(16).useRslora(true).build().scaling())
        .isCloseTo(16 / Math.sqrt(8), within(1e-15));
  }

  @Test
  void defaultsAreThoseOfPeft() {
    LoraConfig config = qv().build();

    assertThat(config.r()).isEqualTo(8);
    assertThat(config.loraAlpha()).isEqualTo(8.0);
    assertThat(config.loraDropout()).isZero();
    assertThat(config.bias()).isEqualTo("none");
    assertThat(config.useRslora()).isFalse();
    assertThat(config.fanInFanOut()).isFalse();
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void unsupportedOrInvalidSettingsAreRefusedWithTheFix() {
    assertThatThrownBy(() -> qv().bias("lora_only").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bias=\"lora_only\"")
        .hasMessageContaining("bias=\"none\"");
    assertThatThrownBy(() -> qv().bias("all").build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> qv().fanInFanOut(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fan_in_fan_out");
    assertThatThrownBy(() -> qv().r(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("r must be a positive");
    assertThatThrownBy(() -> qv().loraDropout(1.0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lora_dropout");
    assertThatThrownBy(() -> LoraConfig.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target_modules is required");
  }
}
