package dev.tune.container.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuThreadsTest {

  @Test
  void cpuTrainingTakesHalfTheCoresAndAtLeastOne() {
    assertThat(CpuThreads.choose(Map.of(), 2, 0, null)).hasValue(1);
    assertThat(CpuThreads.choose(Map.of(), 16, 0, null)).hasValue(8);
    assertThat(CpuThreads.choose(Map.of(), 1, 0, null)).hasValue(1);
  }

  @Test
  void gpusAndAnExplicitDjlPropertyKeepLibtorchsDefault() {
    assertThat(CpuThreads.choose(Map.of(), 16, 4, null)).isEmpty();
    assertThat(CpuThreads.choose(Map.of(), 16, 0, "3")).isEmpty();
  }

  @Test
  void theEnvironmentWins() {
    assertThat(CpuThreads.choose(Map.of(CpuThreads.ENV, " 6 "), 2, 0, "3")).hasValue(6);
  }

  @Test
  void aBadValueNamesTheVariableAndTheFix() {
    assertThatThrownBy(() -> CpuThreads.choose(Map.of(CpuThreads.ENV, "all"), 2, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TUNE_CPU_THREADS='all'")
        .hasMessageContaining("whole number >= 1");
  }
}
