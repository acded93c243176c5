package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.tune.core.error.BadInputException;
import org.junit.jupiter.api.Test;

class OptimizerNameTest {

  @Test
  void createsTheOptimizerNamedInTheConfig() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (String name : new String[] {"adamw_torch", "adamw_8bit", "paged_adamw_8bit"}) {
        try (Optimizer optimizer =
            OptimizerName.fromConfigName(name).create(AdamWOptions.defaults(), manager)) {
          assertThat(optimizer.name()).isEqualTo(name);
        }
      }
    }
  }

  @Test
  void readsTheFusedTorchVariantAsTorchAdamW() {
    assertThat(OptimizerName.fromConfigName("ADAMW_TORCH_FUSED"))
        .isEqualTo(OptimizerName.ADAMW_TORCH);
  }

  @Test
  void namesTheChoicesWhenTheConfigIsWrong() {
    assertThatThrownBy(() -> OptimizerName.fromConfigName("adafactor"))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> assertThat(e.fix()).contains("adamw_torch, adamw_8bit, paged_adamw_8bit"))
        .hasMessageContaining("adafactor");
  }
}
