package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Structure and bookkeeping of the model families, on random weights. */
class CausalLmTest {

  private static final long[] TOKENS = {0, 17, 230, 5, 99, 411, 3, 64, 300, 12, 7, 150, 42, 8};

  static ModelConfig config(String fixture) {
    return ModelConfig.read(Fixtures.dir(fixture));
  }

  static CausalLm randomModel(ModelConfig config, NDManager manager) {
    return CausalLm.load(
        config, new RandomWeightSource(config, 7), manager, LoadOptions.defaults());
  }

  static float maxAbsDiff(NDArray a, NDArray b) {
    return a.toType(DataType.FLOAT32, false)
        .sub(b.toType(DataType.FLOAT32, false))
        .abs()
        .max()
        .getFloat();
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void logitsAreBatchBySequenceByVocab(String fixture) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config(fixture), m)) {
      NDArray ids = m.create(TOKENS, new Shape(2, 7));
      NDArray logits = model.logits(ids);
      assertThat(logits.getShape()).isEqualTo(new Shape(2, 7, 512));
      assertThat(logits.isNaN().any().getBoolean()).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void laterTokensDoNotChangeEarlierLogits(String fixture) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config(fixture), m)) {
      long[] changed = TOKENS.clone();
      changed[13] = 500;
      changed[12] = 501;
      NDArray a = model.logits(m.create(TOKENS, new Shape(1, 14)));
      NDArray b = model.logits(m.create(changed, new Shape(1, 14)));
      assertThat(maxAbsDiff(a.get(":, :12, :"), b.get(":, :12, :"))).isZero();
      assertThat(maxAbsDiff(a.get(":, 12:, :"), b.get(":, 12:, :"))).isGreaterThan(1e-3f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "llama-rope-llama3", "mistral", "falcon-mq", "falcon-newarch"})
  void cachedDecodingMatchesTheFullForward(String fixture) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config(fixture), m);
        DecoderCache cache = model.newCache()) {
      NDArray ids = m.create(TOKENS, new Shape(1, 14));
      NDArray full = model.logits(ids);
      NDArray prefill = model.forward(ForwardInput.of(ids.get(":, :9")).withCache(cache));
      assertThat(cache.length()).isEqualTo(9);
      assertThat(maxAbsDiff(prefill, full.get(":, :9, :"))).isLessThanOrEqualTo(1e-5f);
      for (int t = 9; t < 14; t++) {
        NDArray step =
            model.forward(ForwardInput.of(ids.get(":, {}:{}", t, t + 1)).withCache(cache));
        assertThat(step.getShape()).isEqualTo(new Shape(1, 1, 512));
        assertThat(maxAbsDiff(step, full.get(":, {}:{}, :", t, t + 1)))
            .as("position %d", t)
            .isLessThanOrEqualTo(1e-5f);
      }
      assertThat(cache.length()).isEqualTo(14);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void leftPaddingWithMaskAndPositionsMatchesTheUnpaddedSequence(String fixture) {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config(fixture), m)) {
      long[] real = {0, 17, 230, 5, 99, 411, 3, 64};
      long[] padded = new long[11];
      long[] mask = new long[11];
      long[] positions = new long[11];
      for (int i = 0; i < 11; i++) {
        boolean isPad = i < 3;
        padded[i] = isPad ? 2 : real[i - 3];
        mask[i] = isPad ? 0 : 1;
        positions[i] = isPad ? 1 : i - 3;
      }
      NDArray expected = model.logits(m.create(real, new Shape(1, 8)));
      NDArray actual =
          model.forward(
              ForwardInput.of(m.create(padded, new Shape(1, 11)))
                  .withAttentionMask(m.create(mask, new Shape(1, 11)))
                  .withPositionIds(m.create(positions, new Shape(1, 11))));
      assertThat(maxAbsDiff(actual.get(":, 3:, :"), expected)).isLessThanOrEqualTo(1e-5f);
    }
  }

  @Test
  void slidingWindowHidesKeysOlderThanTheWindow() throws IOException {
    String oneLayer =
        Files.readString(Fixtures.dir("mistral").resolve("config.json"))
            .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1");
    ModelConfig config = ModelConfig.parse(oneLayer);
    assertThat(config.numHiddenLayers()).isEqualTo(1);
    assertThat(config.slidingWindow()).hasValue(6);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config, m)) {
      NDArray base = model.logits(m.create(TOKENS, new Shape(1, 14)));
      // Position 13 sees keys 8..13: changing tokens 0..7 must not matter, changing 8 must.
      long[] outside = TOKENS.clone();
      for (int i = 0; i < 8; i++) {
        outside[i] = 100L + i;
      }
      long[] inside = TOKENS.clone();
      inside[8] = 499;
      NDArray a = model.logits(m.create(outside, new Shape(1, 14)));
      NDArray b = model.logits(m.create(inside, new Shape(1, 14)));
      assertThat(maxAbsDiff(a.get(":, 13, :"), base.get(":, 13, :"))).isZero();
      assertThat(maxAbsDiff(b.get(":, 13, :"), base.get(":, 13, :"))).isGreaterThan(1e-3f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void namesParametersAndLinearsAsTheCheckpoint(String fixture) {
    ModelConfig config = config(fixture);
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config, m)) {
      Set<String> checkpoint = RandomWeightSource.checkpointShapes(config).keySet();
      assertThat(model.parameters().keySet()).containsExactlyInAnyOrderElementsOf(checkpoint);
      for (String linear : model.linears().keySet()) {
        if (!linear.equals(CausalLm.LM_HEAD) || !config.tieWordEmbeddings()) {
          assertThat(checkpoint).contains(linear + ".weight");
        }
      }
      int perLayer = config instanceof LlamaConfig ? 7 : 4;
      assertThat(model.linears()).hasSize(perLayer * config.numHiddenLayers() + 1);
      assertThat(model.linears()).containsKey(CausalLm.LM_HEAD);
      assertThat(model.tiedHead()).isEqualTo(config.tieWordEmbeddings());
    }
  }

  @Test
  void theContextOfPackedRowsRotatesByEachSamplesPositionsAndMasksOtherSamples() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config("llama"), m)) {
      NDArray positions = m.create(new long[] {0, 1, 2, 0, 1}, new Shape(1, 5));
      NDArray sequences = m.create(new long[] {0, 0, 0, 1, 1}, new Shape(1, 5));
      AttentionContext context =
          model.attentionContext(
              m, 1, 5, Optional.empty(), Optional.of(positions), Optional.of(sequences));

      NDArray cos = context.angles().cos();
      assertThat(maxAbsDiff(cos.get(":, 3, :"), cos.get(":, 0, :"))).isZero();
      assertThat(maxAbsDiff(cos.get(":, 4, :"), cos.get(":, 1, :"))).isZero();
      assertThat(maxAbsDiff(cos.get(":, 1, :"), cos.get(":, 0, :"))).isGreaterThan(1e-3f);
      float[] mask = context.mask().toFloatArray(); // [1, 1, 5, 5]
      assertThat(mask[3 * 5 + 2]).as("second sample sees the first").isEqualTo(-Float.MAX_VALUE);
      assertThat(mask[4 * 5 + 3]).as("second sample sees itself").isZero();
      assertThat(mask[2 * 5 + 1]).isZero();
      assertThatThrownBy(
              () ->
                  model.attentionContext(
                      m, 1, 4, Optional.empty(), Optional.of(positions), Optional.empty()))
          .hasMessageContaining("position ids have shape");
    }
  }

  @Test
  void llamaLinearsCarryTheirModuleNames() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config("llama"), m)) {
      assertThat(model.linears().keySet())
          .startsWith(
              "model.layers.0.self_attn.q_proj",
              "model.layers.0.self_attn.k_proj",
              "model.layers.0.self_attn.v_proj",
              "model.layers.0.self_attn.o_proj",
              "model.layers.0.mlp.gate_proj",
              "model.layers.0.mlp.up_proj",
              "model.layers.0.mlp.down_proj");
      Linear k = model.linears().get("model.layers.1.self_attn.k_proj");
      assertThat(k.inFeatures()).isEqualTo(64);
      assertThat(k.outFeatures()).isEqualTo(32);
    }
  }

  @Test
  void anAdapterOnAProjectionChangesTheLogitsUntilRemoved() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config("llama"), m)) {
      NDArray ids = m.create(TOKENS, new Shape(2, 7));
      NDArray base = model.logits(ids);
      Linear v = model.linears().get("model.layers.0.self_attn.v_proj");
      v.setAdapter(x -> x.get("..., :32").mul(0.5));
      NDArray adapted = model.logits(ids);
      v.removeAdapter();
      NDArray restored = model.logits(ids);
      assertThat(maxAbsDiff(adapted, base)).isGreaterThan(1e-3f);
      assertThat(maxAbsDiff(restored, base)).isZero();
    }
  }

  @Test
  void gradientsReachAnAdapterThroughTheScopedForward() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config("mistral"), m)) {
      Linear q = model.linears().get("model.layers.1.self_attn.q_proj");
      NDArray a = m.randomNormal(0, 0.1f, new Shape(2, 64), DataType.FLOAT32);
      NDArray b = m.randomNormal(0, 0.1f, new Shape(64, 2), DataType.FLOAT32);
      a.setRequiresGradient(true);
      q.setAdapter(x -> x.matMul(a.transpose()).matMul(b.transpose()));
      NDArray ids = m.create(TOKENS, new Shape(2, 7));
      NDArray probe = m.randomNormal(new Shape(2, 7, 512));
      float loss;
      NDArray grad;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray l = model.logits(ids).mul(probe).sum();
        loss = l.getFloat();
        collector.backward(l);
        grad = a.getGradient().duplicate();
      }
      float norm = grad.norm().getFloat();
      assertThat(norm).isGreaterThan(0f);
      // A step of size eps along the gradient raises the loss by about eps * |grad|.
      float eps = 1e-3f;
      NDArray step = grad.div(norm).mul(eps);
      NDArray moved = a.add(step);
      q.setAdapter(x -> x.matMul(moved.transpose()).matMul(b.transpose()));
      float raised = model.logits(ids).mul(probe).sum().getFloat();
      assertThat((double) (raised - loss)).isCloseTo(eps * norm, within(0.05 * eps * norm));
    }
  }

  @Test
  void forwardPassesLeaveNoArraysBehind() {
    try (NDManager m = NDManager.newBaseManager();
        CausalLm model = randomModel(config("falcon-newarch"), m);
        NDManager caller = m.newSubManager()) {
      NDArray ids = caller.create(TOKENS, new Shape(2, 7));
      NDArray next = ids.get(":, :1");
      int modelArrays = model.manager().getManagedArrays().size();
      int callerArrays = caller.getManagedArrays().size();
      for (int i = 0; i < 3; i++) {
        model.logits(ids).close();
      }
      try (DecoderCache cache = model.newCache()) {
        model.forward(ForwardInput.of(ids).withCache(cache)).close();
        model.forward(ForwardInput.of(next).withCache(cache)).close();
        assertThat(cache.length()).isEqualTo(8);
      }
      NDArray kept = model.logits(ids);
      assertThat(kept.getManager()).isSameAs(caller);
      assertThat(model.manager().getManagedArrays()).hasSize(modelArrays);
      assertThat(caller.getManagedArrays()).hasSize(callerArrays + 1);
    }
  }

  @Test
  void computesInFloat16CloseToFloat32() {
    ModelConfig config = config("llama");
    try (NDManager m = NDManager.newBaseManager();
        CausalLm fp32 = randomModel(config, m);
        CausalLm fp16 =
            CausalLm.load(
                config,
                new RandomWeightSource(config, 7),
                m,
                LoadOptions.defaults().withComputeDtype(DataType.FLOAT16))) {
      NDArray ids = m.create(TOKENS, new Shape(2, 7));
      NDArray a = fp32.logits(ids);
      NDArray b = fp16.logits(ids);
      assertThat(b.getDataType()).isEqualTo(DataType.FLOAT16);
      float scale = a.abs().max().getFloat();
      assertThat(maxAbsDiff(a, b)).isLessThan(0.01f * scale);
      // Fully masked padding rows must stay finite in float16 too.
      NDArray mask =
          m.create(new long[] {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new Shape(2, 7));
      assertThat(fp16.logits(ids, mask).isNaN().any().getBoolean()).isFalse();
    }
  }

  @Test
  void refusesBfloat16WhichDjlCannotMake() {
    assertThatThrownBy(() -> LoadOptions.defaults().withComputeDtype(DataType.BFLOAT16))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("bfloat16");
    ModelConfig bf16Checkpoint =
        ModelConfig.parse(
            """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
             "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 16,
             "torch_dtype": "bfloat16"}
            """);
    assertThat(LoadOptions.defaults().resolveComputeDtype(bf16Checkpoint))
        .isEqualTo(DataType.FLOAT32);
  }

  @Test
  void aMissingTensorIsNamed() {
    ModelConfig config = config("llama");
    RandomWeightSource all = new RandomWeightSource(config, 1);
    WeightSource lacking =
        new WeightSource() {
          @Override
          public Set<String> names() {
            return all.names().stream()
                .filter(n -> !n.equals("model.layers.1.mlp.up_proj.weight"))
                .collect(java.util.stream.Collectors.toSet());
          }

          @Override
          public NDArray load(String name, NDManager manager) {
            return all.load(name, manager);
          }
        };
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> CausalLm.load(config, lacking, m, LoadOptions.defaults()))
          .isInstanceOf(ModelConfigException.class)
          .hasMessageContaining("model.layers.1.mlp.up_proj.weight");
      assertThat(m.getManagedArrays()).isEmpty();
    }
  }

  @Test
  void aTensorOfTheWrongShapeIsNamed() {
    ModelConfig llama = config("llama");
    ModelConfig wider =
        ModelConfig.parse(
            """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 96,
             "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2,
             "vocab_size": 512}
            """);
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(
              () ->
                  CausalLm.load(wider, new RandomWeightSource(llama, 1), m, LoadOptions.defaults()))
          .isInstanceOf(ModelConfigException.class)
          .hasMessageContaining("model.layers.0.mlp.gate_proj.weight")
          .hasMessageContaining("(128, 64)");
    }
  }
}
