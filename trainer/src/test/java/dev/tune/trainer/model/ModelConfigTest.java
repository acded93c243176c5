package dev.tune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

  @Test
  void readsTheLlamaFixture() {
    LlamaConfig c = (LlamaConfig) ModelConfig.read(Fixtures.dir("llama"));
    assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
    assertThat(c.vocabSize()).isEqualTo(512);
    assertThat(c.hiddenSize()).isEqualTo(64);
    assertThat(c.intermediateSize()).isEqualTo(128);
    assertThat(c.numHiddenLayers()).isEqualTo(2);
    assertThat(c.numAttentionHeads()).isEqualTo(4);
    assertThat(c.numKeyValueHeads()).isEqualTo(2);
    assertThat(c.headDim()).isEqualTo(16);
    assertThat(c.rmsNormEps()).isEqualTo(1e-5);
    assertThat(c.hiddenAct()).isEqualTo(HiddenActivation.SILU);
    assertThat(c.tieWordEmbeddings()).isFalse();
    assertThat(c.slidingWindow()).isEmpty();
    assertThat(c.maxPositionEmbeddings()).isEqualTo(64);
    assertThat(c.ropeParameters()).isEqualTo(RopeParameters.standard(10000.0));
    assertThat(c.specialTokenIds())
        .isEqualTo(new SpecialTokenIds(OptionalInt.of(0), List.of(1), OptionalInt.of(2)));
    assertThat(c.dtype()).contains("float32");
  }

  @Test
  void readsLlama3RopeFromRopeParameters() {
    ModelConfig c = ModelConfig.read(Fixtures.dir("llama-rope-llama3"));
    assertThat(c.ropeParameters())
        .isEqualTo(new RopeParameters(RopeType.LLAMA3, 500000.0, 8.0, 1.0, 4.0, 8));
    assertThat(((LlamaConfig) c).rmsNormEps()).isEqualTo(1e-6);
  }

  @Test
  void readsTheMistralFixture() {
    LlamaConfig c = (LlamaConfig) ModelConfig.read(Fixtures.dir("mistral"));
    assertThat(c.architecture()).isEqualTo(Architecture.MISTRAL);
    assertThat(c.slidingWindow()).hasValue(6);
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.attentionBias()).isFalse();
  }

  @Test
  void readsTheMultiQueryFalconFixture() {
    FalconConfig c = (FalconConfig) ModelConfig.read(Fixtures.dir("falcon-mq"));
    assertThat(c.architecture()).isEqualTo(Architecture.FALCON);
    assertThat(c.qkvLayout()).isEqualTo(FalconConfig.QkvLayout.MULTI_QUERY);
    assertThat(c.normLayout()).isEqualTo(FalconConfig.NormLayout.PARALLEL_SHARED);
    // num_kv_heads is written as 4, but multi-query attention has a single K/V head.
    assertThat(c.numKvHeads()).isEqualTo(4);
    assertThat(c.numKeyValueHeads()).isEqualTo(1);
    assertThat(c.qkvOutFeatures()).isEqualTo(64 + 2 * 16);
    assertThat(c.ffnHiddenSize()).isEqualTo(256);
    assertThat(c.headDim()).isEqualTo(16);
    assertThat(c.activation()).isEqualTo(HiddenActivation.GELU);
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.bias()).isFalse();
    assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
  }

  @Test
  void readsTheNewArchitectureFalconFixture() {
    FalconConfig c = (FalconConfig) ModelConfig.read(Fixtures.dir("falcon-newarch"));
    assertThat(c.qkvLayout()).isEqualTo(FalconConfig.QkvLayout.GROUPED);
    assertThat(c.normLayout()).isEqualTo(FalconConfig.NormLayout.PARALLEL_SEPARATE);
    assertThat(c.numKeyValueHeads()).isEqualTo(2);
    assertThat(c.qkvOutFeatures()).isEqualTo((4 + 2 * 2) * 16);
  }

  @Test
  void readsAnOldStyleLlama2ConfigWithLinearScaling() {
    // Llama 2 era: rope_theta/rope_scaling at the top level, "type" instead of "rope_type".
    LlamaConfig c =
        (LlamaConfig)
            ModelConfig.parse(
                """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama",
                 "hidden_size": 4096, "intermediate_size": 11008, "num_attention_heads": 32,
                 "num_hidden_layers": 32, "rms_norm_eps": 1e-05, "vocab_size": 32000,
                 "max_position_embeddings": 4096, "bos_token_id": 1, "eos_token_id": 2,
                 "pad_token_id": null, "torch_dtype": "float16", "tie_word_embeddings": false,
                 "rope_scaling": {"type": "linear", "factor": 2.0}, "pretraining_tp": 1}
                """);
    assertThat(c.numKeyValueHeads()).isEqualTo(32);
    assertThat(c.headDim()).isEqualTo(128);
    assertThat(c.ropeParameters())
        .isEqualTo(new RopeParameters(RopeType.LINEAR, 10000.0, 2.0, 0, 0, 0));
    assertThat(c.specialTokenIds().pad()).isEmpty();
    assertThat(c.dtype()).contains("float16");
  }

  @Test
  void readsAnOldStyleLlama31ConfigWithTopLevelLlama3Scaling() {
    ModelConfig c =
        ModelConfig.parse(
            """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 4096,
             "intermediate_size": 14336, "num_attention_heads": 32, "num_hidden_layers": 32,
             "num_key_value_heads": 8, "vocab_size": 128256, "rope_theta": 500000.0,
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009],
             "torch_dtype": "bfloat16"}
            """);
    assertThat(c.ropeParameters())
        .isEqualTo(new RopeParameters(RopeType.LLAMA3, 500000.0, 8.0, 1.0, 4.0, 8192));
    assertThat(c.specialTokenIds().eos()).containsExactly(128001, 128008, 128009);
    assertThat(c.numKeyValueHeads()).isEqualTo(8);
  }

  @Test
  void readsMistral7bV01WithItsDefaultsAndWindow() {
    LlamaConfig c =
        (LlamaConfig)
            ModelConfig.parse(
                """
                {"architectures": ["MistralForCausalLM"], "hidden_size": 4096,
                 "intermediate_size": 14336, "num_attention_heads": 32, "num_hidden_layers": 32,
                 "num_key_value_heads": 8, "rope_theta": 10000.0, "sliding_window": 4096,
                 "vocab_size": 32000, "torch_dtype": "bfloat16", "max_position_embeddings": 32768}
                """);
    assertThat(c.slidingWindow()).hasValue(4096);
    assertThat(c.ropeParameters()).isEqualTo(RopeParameters.standard(10000.0));
    assertThat(c.rmsNormEps()).isEqualTo(1e-6);
  }

  @Test
  void mistralWindowDefaultsTo4096ButNullTurnsItOff() {
    String base =
        """
        {"architectures": ["MistralForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
         "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 1,
         "vocab_size": 10 %s}
        """;
    LlamaConfig absent = (LlamaConfig) ModelConfig.parse(base.formatted(""));
    LlamaConfig off = (LlamaConfig) ModelConfig.parse(base.formatted(", \"sliding_window\": null"));
    assertThat(absent.slidingWindow()).hasValue(4096);
    assertThat(off.slidingWindow()).isEmpty();
  }

  @Test
  void readsAnOldStyleFalcon7bConfig() {
    FalconConfig c =
        (FalconConfig)
            ModelConfig.parse(
                """
                {"alibi": false, "apply_residual_connection_post_layernorm": false,
                 "architectures": ["FalconForCausalLM"], "bias": false, "bos_token_id": 11,
                 "eos_token_id": 11, "hidden_size": 4544, "layer_norm_epsilon": 1e-05,
                 "model_type": "falcon", "multi_query": true, "new_decoder_architecture": false,
                 "num_attention_heads": 71, "num_hidden_layers": 32, "parallel_attn": true,
                 "torch_dtype": "bfloat16", "vocab_size": 65024}
                """);
    assertThat(c.headDim()).isEqualTo(64);
    assertThat(c.ffnHiddenSize()).isEqualTo(4 * 4544);
    assertThat(c.numKeyValueHeads()).isEqualTo(1);
    assertThat(c.qkvOutFeatures()).isEqualTo(4544 + 2 * 64);
    assertThat(c.ropeParameters()).isEqualTo(RopeParameters.standard(10000.0));
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.dtype()).isEqualTo(Optional.of("bfloat16"));
  }

  @Test
  void readsFalcon40bAliasesAndDefaultsTwoNormsForTheNewArchitecture() {
    FalconConfig c =
        (FalconConfig)
            ModelConfig.parse(
                """
                {"architectures": ["FalconForCausalLM"], "hidden_size": 8192, "n_head": 128,
                 "n_head_kv": 8, "n_layer": 60, "new_decoder_architecture": true,
                 "parallel_attn": true, "vocab_size": 65024, "alibi": false, "bias": false}
                """);
    assertThat(c.numAttentionHeads()).isEqualTo(128);
    assertThat(c.numHiddenLayers()).isEqualTo(60);
    assertThat(c.numKeyValueHeads()).isEqualTo(8);
    assertThat(c.normLayout()).isEqualTo(FalconConfig.NormLayout.PARALLEL_SEPARATE);
    assertThat(c.qkvOutFeatures()).isEqualTo((128 + 16) * 64);
  }

  @Test
  void sequentialFalconUsesTwoNormsInTurn() {
    FalconConfig c =
        (FalconConfig)
            ModelConfig.parse(
                """
                {"architectures": ["FalconForCausalLM"], "hidden_size": 64,
                 "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 10,
                 "multi_query": false, "parallel_attn": false}
                """);
    assertThat(c.normLayout()).isEqualTo(FalconConfig.NormLayout.SEQUENTIAL);
    assertThat(c.qkvLayout()).isEqualTo(FalconConfig.QkvLayout.PER_HEAD);
    assertThat(c.numKeyValueHeads()).isEqualTo(4);
    assertThat(c.qkvOutFeatures()).isEqualTo(3 * 64);
  }

  @Test
  void refusesUnsupportedArchitecturesNamingTheSupportedOnes() {
    assertThatThrownBy(
            () ->
                ModelConfig.parse(
                    "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\"}"))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("GPT2LMHeadModel")
        .extracting(e -> ((ModelConfigException) e).fix())
        .asString()
        .contains("LlamaForCausalLM, MistralForCausalLM, FalconForCausalLM");
  }

  @Test
  void refusesAlibiFalcon() {
    assertThatThrownBy(
            () ->
                ModelConfig.parse(
                    """
                    {"architectures": ["FalconForCausalLM"], "alibi": true, "hidden_size": 64,
                     "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 10}
                    """))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("alibi")
        .extracting(e -> ((ModelConfigException) e).fix())
        .asString()
        .contains("alibi: false");
  }

  @Test
  void refusesRopeTypesItCannotComputeNamingTheSupportedOnes() {
    assertThatThrownBy(
            () ->
                ModelConfig.parse(
                    """
                    {"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
                     "intermediate_size": 128, "num_attention_heads": 4, "num_hidden_layers": 1,
                     "vocab_size": 10, "rope_parameters": {"rope_type": "yarn", "factor": 4.0,
                     "rope_theta": 10000.0}}
                    """))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("yarn")
        .extracting(e -> ((ModelConfigException) e).fix())
        .asString()
        .contains("default, linear, llama3");
  }

  @Test
  void namesAMissingRequiredField() {
    assertThatThrownBy(
            () ->
                ModelConfig.parse(
                    """
                    {"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
                     "num_attention_heads": 4, "num_hidden_layers": 1, "vocab_size": 10}
                    """))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("intermediate_size");
  }

  @Test
  void namesAFieldOfTheWrongType() {
    assertThatThrownBy(
            () ->
                ModelConfig.parse(
                    """
                    {"architectures": ["LlamaForCausalLM"], "hidden_size": "64",
                     "intermediate_size": 128, "num_attention_heads": 4, "num_hidden_layers": 1,
                     "vocab_size": 10}
                    """))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("hidden_size")
        .hasMessageContaining("integer");
  }

  @Test
  void refusesKvHeadsThatDoNotDivideTheHeads() {
    assertThatThrownBy(
            () ->
                ModelConfig.parse(
                    """
                    {"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
                     "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 3,
                     "num_hidden_layers": 1, "vocab_size": 10}
                    """))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("num_key_value_heads");
  }

  @Test
  void aDirectoryWithoutConfigIsExplained(@TempDir Path dir) {
    assertThatThrownBy(() -> ModelConfig.read(dir))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("config.json");
  }

  @Test
  void readsGenerationConfigWhenPresent(@TempDir Path dir) throws Exception {
    assertThat(GenerationConfig.read(dir)).isEmpty();
    Files.writeString(
        dir.resolve("generation_config.json"),
        """
        {"bos_token_id": 128000, "eos_token_id": [128001, 128009], "do_sample": true,
         "temperature": 0.6, "top_p": 0.9}
        """);
    GenerationConfig g = GenerationConfig.read(dir).orElseThrow();
    assertThat(g.doSample()).isTrue();
    assertThat(g.temperature()).hasValue(0.6);
    assertThat(g.topP()).hasValue(0.9);
    assertThat(g.topK()).isEmpty();
    assertThat(g.specialTokenIds().eos()).containsExactly(128001, 128009);
    GenerationConfig fixture = GenerationConfig.read(Fixtures.dir("llama")).orElseThrow();
    assertThat(fixture.specialTokenIds().eos()).containsExactly(1);
    assertThat(fixture.doSample()).isFalse();
  }
}
