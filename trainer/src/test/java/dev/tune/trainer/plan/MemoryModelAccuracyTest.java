package dev.tune.trainer.plan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.LoraSpec;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.optim.OptimizerName;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The estimate holds within 10% of what a CPU run really allocates (model arrays, the gradients and
 * moments kept between steps, and the second step's transient peak; see {@link PeakMemoryProbe}),
 * for Llama and Falcon, recorded and with gradient checkpointing, with float32 and 8-bit moments.
 * Each case trains in a fresh JVM; {@code dev.tune.bench.MemoryModelTable} prints the same cases
 * and a recorded Llama with a small vocabulary, left out here to keep this under a minute.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "the probe reads the peak from /proc/self/status")
class MemoryModelAccuracyTest {

  /** A model (a fixture directory or a synthetic config) and a run shape on the CPU. */
  record Case(String name, String fixture, String syntheticConfig, RunShape run) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final String SYNTHETIC_LLAMA =
      """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": %d,
       "hidden_size": 384, "intermediate_size": 1024, "num_hidden_layers": 8,
       "num_attention_heads": 6, "num_key_value_heads": 2, "max_position_embeddings": 2048,
       "rms_norm_eps": 1e-5, "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 1}
      """;

  static final String SYNTHETIC_FALCON =
      """
      {"architectures": ["FalconForCausalLM"], "model_type": "falcon", "vocab_size": 4096,
       "hidden_size": 256, "ffn_hidden_size": 1024, "num_hidden_layers": 4,
       "num_attention_heads": 8, "num_kv_heads": 2, "new_decoder_architecture": true,
       "parallel_attn": true, "bias": false, "alibi": false, "bos_token_id": 0, "eos_token_id": 1}
      """;

  static RunShape cpu(int batch, int seq, boolean checkpointing, OptimizerName optim, double p) {
    return RunShape.builder()
        .batchSize(batch)
        .seqLen(seq)
        .lora(new LoraSpec(8, 16, p, List.of(LoraSpec.ALL_LINEAR)))
        .optimizer(optim)
        .gradientCheckpointing(checkpointing)
        .computeDtype(DataType.FLOAT32)
        .build();
  }

  static List<Case> cases() {
    OptimizerName adamw = OptimizerName.ADAMW_TORCH;
    String llama = SYNTHETIC_LLAMA.formatted(8192);
    return List.of(
        new Case("tiny llama, recorded", "llama", null, cpu(8, 256, false, adamw, 0)),
        new Case("tiny llama, checkpointed", "llama", null, cpu(8, 256, true, adamw, 0)),
        new Case("tiny falcon, recorded", "falcon-newarch", null, cpu(8, 256, false, adamw, 0)),
        new Case("llama 20M, recorded, dropout", null, llama, cpu(2, 256, false, adamw, 0.05)),
        new Case(
            "llama 20M, checkpointed, adamw_8bit",
            null,
            llama,
            cpu(2, 256, true, OptimizerName.ADAMW_8BIT, 0)),
        new Case(
            "llama 20M vocab 512, checkpointed",
            null,
            SYNTHETIC_LLAMA.formatted(512),
            cpu(2, 256, true, adamw, 0)),
        new Case("falcon 8M, checkpointed", null, SYNTHETIC_FALCON, cpu(2, 256, true, adamw, 0)));
  }

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void estimateIsWithinTenPercentOfTheMeasuredPeak(Case c) throws Exception {
    Path model = modelDir(c);
    ModelConfig config = ModelConfig.read(model);
    MemoryEstimate estimate = QloraMemoryModel.estimate(config, c.run(), 0);
    PeakMemoryProbe.Measured measured = PeakMemoryProbe.measure(model, c.run());
    long estimated = estimate.singleDevicePeak();
    double error = (double) (estimated - measured.peakBytes()) / measured.peakBytes();
    System.out.printf(
        Locale.ROOT,
        "%-34s model %7.1f MB (est %7.1f) | peak %7.1f MB measured, %7.1f MB estimated, %+.1f%%%n",
        c.name(),
        measured.modelBytes() / 1e6,
        estimate.weightsBytes() / 1e6 + estimate.adapterBytes() / 1e6,
        measured.peakBytes() / 1e6,
        estimated / 1e6,
        100 * error);
    assertThat(Math.abs(error)).as("relative error of the estimate").isLessThan(0.10);
  }

  private Path modelDir(Case c) throws IOException, URISyntaxException {
    if (c.fixture() != null) {
      return Path.of(
          Objects.requireNonNull(getClass().getResource("/fixtures/hf/" + c.fixture())).toURI());
    }
    Path model = dir.resolve("model");
    if (!Files.exists(model)) {
      RandomCheckpoint.write(model, c.syntheticConfig(), 7);
    }
    return model;
  }
}
