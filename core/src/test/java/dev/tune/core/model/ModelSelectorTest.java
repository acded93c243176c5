package dev.tune.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.NotFoundException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSelectorTest {
  private static ModelDescription model(String id, String name, String version) {
    return new ModelDescription(
            new ModelRef("local", id), name, ArtifactUri.parse("file:///m/" + id), Instant.EPOCH)
        .withVersion(version);
  }

  // Newest first, as providers list them.
  private static final List<ModelDescription> MODELS =
      List.of(model("m3", "bot", "2"), model("m2", "other", "1"), model("m1", "bot", "1"));

  @Test
  void aBareNamePicksTheNewestOfThatName() {
    assertThat(ModelSelector.of("bot").select(MODELS).ref().id()).isEqualTo("m3");
  }

  @Test
  void nameAndVersionPickThatVersion() {
    assertThat(ModelSelector.of("bot:1").select(MODELS).ref().id()).isEqualTo("m1");
  }

  @Test
  void anIdWinsOverNames() {
    assertThat(ModelSelector.of("m2").select(MODELS).name()).isEqualTo("other");
  }

  @Test
  void noMatchNamesTheModelsThereAre() {
    assertThatThrownBy(() -> ModelSelector.of("bot:9").select(MODELS))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("bot:9")
        .hasMessageContaining("bot:2, other:1, bot:1");
    assertThatThrownBy(() -> ModelSelector.of("x").select(List.of()))
        .hasMessageContaining("The registry is empty.");
  }
}
