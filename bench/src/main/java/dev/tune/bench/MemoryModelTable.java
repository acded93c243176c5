package dev.tune.bench;

import ai.djl.ndarray.types.DataType;
import dev.tune.core.train.LoraSpec;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.optim.OptimizerName;
import dev.tune.trainer.plan.MemoryEstimate;
import dev.tune.trainer.plan.PeakMemoryProbe;
import dev.tune.trainer.plan.QloraMemoryModel;
import dev.tune.trainer.plan.RandomCheckpoint;
import dev.tune.trainer.plan.RunShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The planner's memory estimate against what CPU training really allocates ({@link
 * PeakMemoryProbe}: model arrays, the gradients and moments kept between steps, and the second
 * step's transient peak), for the trainer's fixtures and synthetic checkpoints of a few shapes, as
 * a Markdown table; {@code MemoryModelAccuracyTest} asserts the 10% bound on all but one of them.
 * Run from the repository root:
 *
 * <pre>
 * java -cp "bench/target/tune-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *     dev.tune.bench.MemoryModelTable
 * </pre>
 */
public final class MemoryModelTable {

  private static final Path FIXTURES = Path.of("trainer/src/test/resources/fixtures/hf");

  private static final String LLAMA_20M =
      """
      {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": %d,
       "hidden_size": 384, "intermediate_size": 1024, "num_hidden_layers": 8,
       "num_attention_heads": 6, "num_key_value_heads": 2, "max_position_embeddings": 2048,
       "rms_norm_eps": 1e-5, "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 1}
      """;

  private static final String FALCON_8M =
      """
      {"architectures": ["FalconForCausalLM"], "model_type": "falcon", "vocab_size": 4096,
       "hidden_size": 256, "ffn_hidden_size": 1024, "num_hidden_layers": 4,
       "num_attention_heads": 8, "num_kv_heads": 2, "new_decoder_architecture": true,
       "parallel_attn": true, "bias": false, "alibi": false, "bos_token_id": 0, "eos_token_id": 1}
      """;

  private record Row(String name, Path model, RunShape run) {}

  private MemoryModelTable() {}

  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("tune-memory-table");
    try {
      printTable(work);
    } finally {
      try (var paths = Files.walk(work)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Writes the synthetic checkpoints under {@code work}, then measures and prints every row. */
  private static void printTable(Path work) {
    Path llama = RandomCheckpoint.write(work.resolve("llama-20m"), LLAMA_20M.formatted(8192), 7);
    Path llamaSmallVocab =
        RandomCheckpoint.write(work.resolve("llama-20m-v512"), LLAMA_20M.formatted(512), 7);
    Path falcon = RandomCheckpoint.write(work.resolve("falcon-8m"), FALCON_8M, 7);
    OptimizerName adamw = OptimizerName.ADAMW_TORCH;
    OptimizerName adamw8 = OptimizerName.ADAMW_8BIT;
    List<Row> rows =
        List.of(
            new Row(
                "tiny llama fixture, recorded",
                FIXTURES.resolve("llama"),
                cpu(8, 256, false, adamw, 0)),
            new Row(
                "tiny llama fixture, checkpointed",
                FIXTURES.resolve("llama"),
                cpu(8, 256, true, adamw, 0)),
            new Row(
                "tiny falcon fixture, recorded",
                FIXTURES.resolve("falcon-newarch"),
                cpu(8, 256, false, adamw, 0)),
            new Row("llama 20M, recorded, dropout 0.05", llama, cpu(2, 256, false, adamw, 0.05)),
            new Row("llama 20M, checkpointed, adamw_8bit", llama, cpu(2, 256, true, adamw8, 0)),
            new Row("llama 20M vocab 512, recorded", llamaSmallVocab, cpu(2, 256, false, adamw, 0)),
            new Row(
                "llama 20M vocab 512, checkpointed", llamaSmallVocab, cpu(2, 256, true, adamw, 0)),
            new Row("falcon 8M, checkpointed", falcon, cpu(2, 256, true, adamw, 0)));
    System.out.println(
        "| case | batch x seq | model arrays MB (measured) | peak MB measured | peak MB"
            + " estimated | error |");
    System.out.println("|---|---|---|---|---|---|");
    for (Row row : rows) {
      MemoryEstimate estimate =
          QloraMemoryModel.estimate(ModelConfig.read(row.model()), row.run(), 0);
      PeakMemoryProbe.Measured measured = PeakMemoryProbe.measure(row.model(), row.run());
      long estimated = estimate.singleDevicePeak();
      System.out.printf(
          Locale.ROOT,
          "| %s | %d x %d | %.1f | %.1f | %.1f | %+.1f%% |%n",
          row.name(),
          row.run().batchSize(),
          row.run().seqLen(),
          measured.modelBytes() / 1e6,
          measured.peakBytes() / 1e6,
          estimated / 1e6,
          100.0 * (estimated - measured.peakBytes()) / measured.peakBytes());
    }
  }

  private static RunShape cpu(
      int batch, int seq, boolean checkpointing, OptimizerName optim, double dropout) {
    return RunShape.builder()
        .batchSize(batch)
        .seqLen(seq)
        .lora(new LoraSpec(8, 16, dropout, List.of(LoraSpec.ALL_LINEAR)))
        .optimizer(optim)
        .gradientCheckpointing(checkpointing)
        .computeDtype(DataType.FLOAT32)
        .build();
  }
}
