package dev.tune.trainer.model.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.trainer.model.GenerationConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Defaults as transformers' generate() resolves them from generation_config.json. */
class GenerationDefaultsTest {

  @Test
  void withoutAConfigDecodingIsGreedyWithTransformersFilters() {
    GenerationDefaults d = GenerationDefaults.of(Optional.empty());
    assertThat(d.temperature()).isZero();
    assertThat(d.topK()).isEqualTo(50);
    assertThat(d.topP()).isEqualTo(1.0);
    assertThat(d.maxNewTokens()).isEmpty();
  }

  @Test
  void aConfigThatDoesNotSampleKeepsGreedyButGivesItsFiltersAndLimit() {
    GenerationDefaults d =
        GenerationDefaults.of(
            GenerationConfig.parse(
                """
                {"temperature": 0.6, "top_k": 20, "top_p": 0.9, "max_new_tokens": 64}
                """));
    assertThat(d.temperature()).isZero();
    assertThat(d.topK()).isEqualTo(20);
    assertThat(d.topP()).isEqualTo(0.9);
    assertThat(d.maxNewTokens()).hasValue(64);
  }

  @Test
  void aSamplingConfigGivesItsTemperatureElseOne() {
    assertThat(
            GenerationDefaults.of(
                    GenerationConfig.parse(
                        """
                        {"do_sample": true, "temperature": 0.6}
                        """))
                .temperature())
        .isEqualTo(0.6);
    assertThat(
            GenerationDefaults.of(
                    GenerationConfig.parse(
                        """
                        {"do_sample": true}
                        """))
                .temperature())
        .isEqualTo(1.0);
  }
}
