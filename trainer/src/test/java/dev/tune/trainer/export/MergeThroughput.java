package dev.tune.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.storage.LocalTree;
import dev.tune.trainer.lora.AdapterConfigJson;
import dev.tune.trainer.lora.LoraConfig;
import dev.tune.trainer.lora.PeftAdapterWeights;
import dev.tune.trainer.lora.PeftNames;
import dev.tune.trainer.lora.TargetModules;
import dev.tune.trainer.safetensors.CheckpointReader;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import dev.tune.trainer.safetensors.TensorSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints merge + export throughput (a program, not a unit test): the largest fixture (llama + its
 * adapter) and a synthetic ~100 MB bf16 Llama-shaped model with an rank-16 all-linear adapter,
 * against a raw sequential write (and fsync) of the same number of bytes and a plain re-save
 * without merging. From the worktree root:
 *
 * <pre>
 * ./mvnw -q -pl trainer -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=$PWD/trainer/target/cp.txt -Dmdep.includeScope=test
 * java -Dai.djl.offline=true \
 *     -cp "$(cat trainer/target/cp.txt):trainer/target/classes:trainer/target/test-classes" \
 *     dev.tune.trainer.export.MergeThroughput 3 /tmp/merge-bench
 * </pre>
 *
 * <p>Arguments: timed runs per case (median reported, after one warm-up) and a scratch directory
 * (default: a temporary one), deleted afterwards.
 */
public final class MergeThroughput {

  private MergeThroughput() {}

  public static void main(String[] args) throws IOException, URISyntaxException {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path scratch =
        args.length > 1
            ? Files.createDirectories(Path.of(args[1]))
            : Files.createTempDirectory("merge-bench");
    try {
      Path fixtures =
          Path.of(MergeThroughput.class.getResource("/fixtures/hf").toURI()).toAbsolutePath();
      measure(
          "fixture llama (fp32)",
          fixtures.resolve("llama"),
          fixtures.resolve("llama-lora"),
          scratch,
          runs);
      Path base = scratch.resolve("synthetic-base");
      Path adapter = scratch.resolve("synthetic-lora");
      writeSyntheticModel(base, adapter);
      measure("synthetic llama (bf16)", base, adapter, scratch, runs);
    } finally {
      LocalTree.delete(scratch);
    }
  }

  private static void measure(String name, Path base, Path adapter, Path scratch, int runs)
      throws IOException {
    Path out = scratch.resolve("out");
    MergeRequest request =
        MergeRequest.builder()
            .baseDir(base)
            .adapterDir(adapter)
            .outputDir(out)
            .overwrite(true)
            .build();
    long bytes = ModelMerger.merge(request).weightBytes();
    System.out.printf(
        Locale.ROOT,
        "%s: %.1f MB of weights, %d cores%n",
        name,
        bytes / 1e6,
        Runtime.getRuntime().availableProcessors());
    report("  merge + export", bytes, runs, () -> ModelMerger.merge(request));
    report(
        "  re-save without merging",
        bytes,
        runs,
        () -> {
          try (CheckpointReader reader = CheckpointReader.open(base)) {
            List<TensorSource> copies = new ArrayList<>();
            for (String tensor : reader.names()) {
              copies.add(TensorSource.copyOf(reader, tensor));
            }
            SafetensorsWriter.create().writeCheckpoint(scratch.resolve("copy"), copies);
          }
        });
    report(
        "  raw sequential write + fsync",
        bytes,
        runs,
        () -> rawWrite(scratch.resolve("raw"), bytes));
  }

  /** The same number of bytes, written sequentially in 8 MB blocks and forced to disk. */
  private static void rawWrite(Path file, long bytes) throws IOException {
    ByteBuffer block = ByteBuffer.allocateDirect(8 << 20);
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      long left = bytes;
      while (left > 0) {
        block.clear().limit((int) Math.min(block.capacity(), left));
        while (block.hasRemaining()) {
          left -= out.write(block);
        }
      }
      out.force(true);
    }
  }

  /**
   * A bf16 Llama-shaped checkpoint of ~100 MB (hidden 1024, 3 layers, vocab 8192, untied head) and
   * a rank-16 adapter on every projection with non-zero B.
   */
  static void writeSyntheticModel(Path base, Path adapter) throws IOException {
    int hidden = 1024;
    int intermediate = 2816;
    int layers = 3;
    int vocab = 8192;
    int heads = 16;
    int kvHeads = 8;
    int headDim = hidden / heads;
    Files.createDirectories(base);
    Files.createDirectories(adapter);
    Files.writeString(
        base.resolve("config.json"),
        String.format(
            Locale.ROOT,
            """
            {
              "architectures": ["LlamaForCausalLM"],
              "model_type": "llama",
              "hidden_size": %d,
              "intermediate_size": %d,
              "num_hidden_layers": %d,
              "num_attention_heads": %d,
              "num_key_value_heads": %d,
              "vocab_size": %d,
              "max_position_embeddings": 2048,
              "rms_norm_eps": 1e-05,
              "rope_theta": 10000.0,
              "tie_word_embeddings": false,
              "torch_dtype": "bfloat16"
            }
            """,
            hidden,
            intermediate,
            layers,
            heads,
            kvHeads,
            vocab),
        StandardCharsets.UTF_8);
    Map<String, long[]> projections = new LinkedHashMap<>();
    Map<String, long[]> others = new LinkedHashMap<>();
    others.put("model.embed_tokens.weight", new long[] {vocab, hidden});
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      projections.put(p + "self_attn.q_proj", new long[] {hidden, hidden});
      projections.put(p + "self_attn.k_proj", new long[] {(long) kvHeads * headDim, hidden});
      projections.put(p + "self_attn.v_proj", new long[] {(long) kvHeads * headDim, hidden});
      projections.put(p + "self_attn.o_proj", new long[] {hidden, hidden});
      projections.put(p + "mlp.gate_proj", new long[] {intermediate, hidden});
      projections.put(p + "mlp.up_proj", new long[] {intermediate, hidden});
      projections.put(p + "mlp.down_proj", new long[] {hidden, intermediate});
      others.put(p + "input_layernorm.weight", new long[] {hidden});
      others.put(p + "post_attention_layernorm.weight", new long[] {hidden});
    }
    others.put("model.norm.weight", new long[] {hidden});
    others.put("lm_head.weight", new long[] {vocab, hidden});
    int rank = 16;
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(7);
      List<TensorSource> weights = new ArrayList<>();
      Map<String, NDArray> lora = new LinkedHashMap<>();
      Map<String, long[]> all = new LinkedHashMap<>(others);
      projections.forEach((module, shape) -> all.put(module + ".weight", shape));
      for (Map.Entry<String, long[]> e : all.entrySet()) {
        NDArray values = manager.randomNormal(0f, 0.02f, new Shape(e.getValue()), DataType.FLOAT32);
        weights.add(TensorSource.of(e.getKey(), values, SafetensorsDtype.BF16));
      }
      SafetensorsWriter.create().writeCheckpoint(base, weights);
      for (Map.Entry<String, long[]> e : projections.entrySet()) {
        long out = e.getValue()[0];
        long in = e.getValue()[1];
        lora.put(
            PeftNames.loraA(e.getKey()),
            manager.randomNormal(0f, 0.02f, new Shape(rank, in), DataType.FLOAT32));
        lora.put(
            PeftNames.loraB(e.getKey()),
            manager.randomNormal(0f, 0.02f, new Shape(out, rank), DataType.FLOAT32));
      }
      SafetensorsWriter.create().writeFile(adapter.resolve(PeftAdapterWeights.FILE_NAME), lora);
    }
    LoraConfig config =
        LoraConfig.builder().r(rank).loraAlpha(32).targetModules(TargetModules.allLinear()).build();
    AdapterConfigJson.write(adapter, config, projections.keySet());
  }

  /** One timed step. */
  @FunctionalInterface
  private interface Step {
    void run() throws IOException;
  }

  private static void report(String what, long bytes, int runs, Step op) throws IOException {
    op.run(); // warm-up
    double[] seconds = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      op.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(seconds);
    double median = seconds[runs / 2];
    System.out.printf(
        Locale.ROOT,
        "%-32s median %8.1f ms  %8.1f MB/s  (runs %s s)%n",
        what,
        median * 1e3,
        bytes / 1e6 / median,
        Arrays.toString(Arrays.stream(seconds).map(s -> Math.round(s * 1e3) / 1e3).toArray()));
  }
}
