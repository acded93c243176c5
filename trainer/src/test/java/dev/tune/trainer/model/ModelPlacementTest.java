package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.plan.DeviceBudget;
import dev.tune.trainer.plan.RunPlan;
import dev.tune.trainer.plan.RunPlanner;
import dev.tune.trainer.plan.RunShape;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A planner's device map becomes a {@link ModelPlacement}, and a model loaded with one computes
 * what the unplaced model computes, cached decoding included. Both slots run on the CPU here (the
 * only CPU device libtorch accepts); the boundary copies are made and counted all the same.
 */
class ModelPlacementTest {

  private static final long[] TOKENS = {0, 17, 230, 5, 99, 411, 3, 64, 300, 12, 7, 150, 42, 8};

  @Test
  void plannersDeviceMapForMistral7bOnFourGpusBecomesFourSlots() throws URISyntaxException {
    ModelConfig config =
        ModelConfig.read(
            Path.of(
                Objects.requireNonNull(getClass().getResource("/plan/mistral-7b-v0.1")).toURI()));
    RunPlan plan =
        RunPlanner.defaults()
            .plan(
                config, RunShape.builder().seqLen(1024).build(), DeviceBudget.parseGpus("4x24GB"));
    assertThat(plan.fits()).isTrue();

    ModelPlacement placement = ModelPlacement.fromDeviceMap(plan.placement().deviceMap(), config);

    assertThat(placement.devices()).hasSizeBetween(2, 4);
    assertThat(placement.devices().get(0)).isEqualTo(Device.gpu(0));
    assertThat(placement.embeddings()).isZero();
    assertThat(placement.layers()).hasSize(32).isSorted();
    assertThat(placement.finalNorm()).isEqualTo(placement.devices().size() - 1);
    assertThat(placement.head()).isEqualTo(placement.finalNorm());
    Map<String, String> map = plan.placement().deviceMap();
    assertThat(placement.devices().get(placement.layers().get(20)))
        .isEqualTo(Device.gpu(Integer.parseInt(map.get("model.layers.20").substring(5))));
  }

  @Test
  void tiedHeadGoesWithTheEmbeddings() {
    ModelConfig config = CausalLmTest.config("mistral");
    assertThat(config.tieWordEmbeddings()).isTrue();
    Map<String, String> map = new LinkedHashMap<>();
    map.put("model.embed_tokens+lm_head", "cuda:0");
    map.put("model.layers.0", "cuda:0");
    map.put("model.layers.1", "cuda:1");
    map.put("model.norm", "cuda:1");

    ModelPlacement placement = ModelPlacement.fromDeviceMap(map, config);

    assertThat(placement)
        .isEqualTo(
            new ModelPlacement(List.of(Device.gpu(0), Device.gpu(1)), 0, List.of(0, 1), 1, 0));
  }

  @Test
  void aDeviceMapMissingALayerIsRefusedWithTheModule() {
    ModelConfig config = CausalLmTest.config("llama");
    Map<String, String> map = new LinkedHashMap<>();
    map.put("model.embed_tokens", "cuda:0");
    map.put("model.layers.0", "cuda:0");
    map.put("model.norm+lm_head", "cuda:1");

    assertThatThrownBy(() -> ModelPlacement.fromDeviceMap(map, config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.layers.1");
  }

  @Test
  void aTiedHeadAwayFromTheEmbeddingsIsRefused() {
    ModelConfig config = CausalLmTest.config("mistral");
    ModelPlacement split =
        new ModelPlacement(List.of(Device.cpu(), Device.cpu()), 0, List.of(0, 1), 1, 1);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(
              () ->
                  CausalLm.load(
                      config,
                      new RandomWeightSource(config, 7),
                      m,
                      LoadOptions.defaults().withPlacement(split)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tie_word_embeddings");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void placedModelDecodesLikeTheUnplacedOne(String fixture) {
    ModelConfig config = CausalLmTest.config(fixture);
    int head = config.tieWordEmbeddings() ? 1 : 0;
    // every boundary crossed: embeddings 1, layer 0 on 0, layer 1 on 1, norm 0, head 0 or 1
    ModelPlacement placement =
        new ModelPlacement(List.of(Device.cpu(), Device.cpu()), 1, List.of(0, 1), 0, head);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm unplaced = CausalLmTest.randomModel(config, m);
        CausalLm placed =
            CausalLm.load(
                config,
                new RandomWeightSource(config, 7),
                m,
                LoadOptions.defaults().withPlacement(placement));
        DecoderCache cache = placed.newCache()) {
      NDArray ids = m.create(TOKENS, new Shape(1, 14));
      NDArray expected = unplaced.logits(ids);
      assertThat(placed.logits(ids).toFloatArray()).containsExactly(expected.toFloatArray());
      int crossingsPerPass = config.tieWordEmbeddings() ? 4 : 3;
      assertThat(placed.slotCrossings()).isEqualTo(crossingsPerPass);

      placed.forward(ForwardInput.of(ids.get(":, :9")).withCache(cache)).close();
      for (int t = 9; t < 14; t++) {
        NDArray step =
            placed.forward(ForwardInput.of(ids.get(":, {}:{}", t, t + 1)).withCache(cache));
        assertThat(CausalLmTest.maxAbsDiff(step, expected.get(":, {}:{}, :", t, t + 1)))
            .as("position %d", t)
            .isLessThanOrEqualTo(1e-5f);
      }
      assertThat(placed.slotCrossings()).isEqualTo(7L * crossingsPerPass);
    }
  }
}
