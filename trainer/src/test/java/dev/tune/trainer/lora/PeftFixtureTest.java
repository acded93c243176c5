package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.DenseWeight;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA pinned to peft 0.21 on the reference fixtures: each {@code <model>-lora} directory holds a
 * peft adapter (with random {@code B}) for the tiny {@code <model>} checkpoint, and {@code
 * reference.safetensors} what peft computed with it: logits, the loss, the LoRA gradients of that
 * loss and the {@code merge_and_unload()} state dict.
 */
class PeftFixtureTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void logitsWithTheAdapterMatchPeft(String fixture) {
    try (CausalLm model = model(fixture);
        SafetensorsFile reference = reference(fixture)) {
      PeftAdapterDir.attach(adapterDir(fixture), model.linears(), model.manager());

      NDArray logits = model.logits(reference.load("input_ids", manager));

      float diff = maxAbsDiff(logits, reference.load("logits", manager));
      report(fixture, "logits max abs diff", diff);
      assertThat(diff).isLessThanOrEqualTo(1e-4f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void lossAndLoraGradientsMatchPeft(String fixture) {
    try (CausalLm model = model(fixture);
        SafetensorsFile reference = reference(fixture)) {
      LoraLayers layers =
          PeftAdapterDir.attach(adapterDir(fixture), model.linears(), model.manager());
      layers.setTrainable(true);
      layers.setTraining(true);
      NDArray ids = reference.load("input_ids", manager);

      float loss;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray lossArray = causalLmLoss(model.logits(ids), ids);
        loss = lossArray.getFloat();
        collector.backward(lossArray);
      }

      float expectedLoss = reference.load("loss", manager).getFloat();
      report(fixture, "loss abs diff", Math.abs(loss - expectedLoss));
      assertThat(Math.abs(loss - expectedLoss)).isLessThanOrEqualTo(1e-4f * Math.abs(expectedLoss));
      Set<String> gradNames =
          reference.names().stream()
              .filter(n -> n.startsWith("grad."))
              .map(n -> n.substring("grad.".length()))
              .collect(Collectors.toSet());
      assertThat(layers.parameters().keySet()).isEqualTo(gradNames);
      float worst = 0;
      for (Map.Entry<String, NDArray> parameter : layers.parameters().entrySet()) {
        NDArray expected = reference.load("grad." + parameter.getKey(), manager);
        NDArray actual = parameter.getValue().getGradient();
        float relative = maxAbsDiff(actual, expected) / expected.abs().max().getFloat();
        worst = Math.max(worst, relative);
        assertThat(relative).as(parameter.getKey()).isLessThanOrEqualTo(1e-4f);
      }
      report(fixture, "grad worst max-abs-diff / max-abs", worst);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void mergeAndUnloadMatchesPeft(String fixture) {
    try (CausalLm model = model(fixture);
        SafetensorsFile reference = reference(fixture)) {
      LoraLayers layers =
          PeftAdapterDir.attach(adapterDir(fixture), model.linears(), model.manager());

      new LoraMerger(model.manager(), LoraAdapter.DTYPE).mergeAndUnload(model.linears(), layers);

      assertThat(model.linears().values()).allMatch(l -> l.adapter().isEmpty());
      float worst = 0;
      for (String module : layers.adapters().keySet()) {
        NDArray merged = ((DenseWeight) model.linears().get(module).weight()).array();
        float diff = maxAbsDiff(merged, reference.load("merged." + module + ".weight", manager));
        worst = Math.max(worst, diff);
      }
      report(fixture, "merged adapted weights max abs diff", worst);
      assertThat(worst).isLessThanOrEqualTo(1e-6f);
      // everything else is the base model, untouched; a tied head is the embeddings
      Set<String> mergedNames =
          reference.names().stream()
              .filter(n -> n.startsWith("merged."))
              .map(n -> n.substring("merged.".length()))
              .collect(Collectors.toSet());
      Set<String> expectedNames = new TreeSet<>(model.parameters().keySet());
      if (model.tiedHead()) {
        expectedNames.add("lm_head.weight");
      }
      assertThat(mergedNames).isEqualTo(expectedNames);
      for (Map.Entry<String, NDArray> parameter : model.parameters().entrySet()) {
        NDArray expected = reference.load("merged." + parameter.getKey(), manager);
        assertThat(maxAbsDiff(parameter.getValue(), expected))
            .as(parameter.getKey())
            .isLessThanOrEqualTo(1e-6f);
      }
    }
  }

  /** transformers' causal LM loss with labels = ids: mean cross-entropy of next-token logits. */
  private static NDArray causalLmLoss(NDArray logits, NDArray ids) {
    long vocab = logits.getShape().get(2);
    NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
    NDArray targets = ids.get(":, 1:").oneHot((int) vocab);
    return logProbs.mul(targets).sum().neg().div(targets.getShape().size() / vocab);
  }

  private CausalLm model(String fixture) {
    return Fixtures.model(fixture, manager, LoadOptions.defaults());
  }

  private static Path adapterDir(String fixture) {
    return Fixtures.adapterDir(fixture + "-lora");
  }

  private static SafetensorsFile reference(String fixture) {
    return SafetensorsFile.open(adapterDir(fixture).resolve("reference.safetensors"));
  }

  private static float maxAbsDiff(NDArray actual, NDArray expected) {
    assertThat(actual.getShape()).isEqualTo(expected.getShape());
    return actual.toType(expected.getDataType(), false).sub(expected).abs().max().getFloat();
  }

  private static void report(String fixture, String what, float value) {
    System.out.printf("%s: %s = %.3e%n", fixture, what, value);
  }
}
