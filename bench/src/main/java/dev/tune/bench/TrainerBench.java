package dev.tune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.core.storage.LocalTree;
import dev.tune.trainer.quant.Nf4Tensor;
import dev.tune.trainer.safetensors.CheckpointReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The trainer's figures on this machine, each next to its peer measured in the same run:
 * safetensors load against a raw read of the same bytes, NF4 quantize throughput, the training step
 * with an NF4 and a dense fp32 base (its PyTorch peer is {@code bench/python}).
 *
 * <p>Run with {@code bench/run} (see bench/README.md).
 */
public final class TrainerBench {
  private TrainerBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    SyntheticLlama shape = SyntheticLlama.benchDefault();
    Path dir = Files.createTempDirectory("tune-bench-");
    try {
      long bytes = shape.writeTo(dir.resolve("model"), 42);
      System.out.printf(
          Locale.ROOT,
          "model: Llama %,d parameters (hidden %d, %d layers, vocab %d), %.1f MB fp32%n",
          shape.parameterCount(),
          shape.hidden(),
          shape.layers(),
          shape.vocab(),
          bytes / 1e6);
      loadVersusRawRead(dir.resolve("model"), runs);
      quantize(dir.resolve("model"), runs);
      TrainStepBench.run(dir.resolve("model"), shape.vocab(), runs, 2);
      System.out.printf(Locale.ROOT, "peak RSS: %.0f MiB%n", Timings.peakRssMiB());
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void loadVersusRawRead(Path model, int runs) throws Exception {
    Path file = model.resolve(CheckpointReader.SINGLE_FILE);
    long size = Files.size(file);
    double load =
        Timings.median(
            1,
            runs,
            () -> {
              try (CheckpointReader reader = CheckpointReader.open(model);
                  NDManager manager = NDManager.newBaseManager()) {
                for (String name : reader.names()) {
                  reader.load(name, manager);
                }
              }
            });
    double raw = Timings.median(1, runs, () -> readFully(file));
    report("safetensors load (all tensors to NDArray)", size, load, "raw read", raw);
  }

  private static void quantize(Path model, int runs) throws Exception {
    try (CheckpointReader reader = CheckpointReader.open(model);
        NDManager manager = NDManager.newBaseManager()) {
      List<NDArray> weights = new ArrayList<>();
      long bytes = 0;
      for (String name : reader.names()) {
        if (name.contains("_proj.")) {
          NDArray w = reader.load(name, manager);
          weights.add(w);
          bytes += w.size() * 4L;
        }
      }
      for (boolean doubleQuant : new boolean[] {true, false}) {
        double seconds =
            Timings.median(
                1,
                runs,
                () -> {
                  try (NDManager step = manager.newSubManager()) {
                    for (NDArray w : weights) {
                      Nf4Tensor.quantize(w, doubleQuant).attach(step);
                    }
                  }
                });
        System.out.printf(
            Locale.ROOT,
            "NF4 quantize (%s): %.1f MB fp32 in %.3f s median = %.1f MB/s%n",
            doubleQuant ? "double quant" : "plain",
            bytes / 1e6,
            seconds,
            bytes / 1e6 / seconds);
      }
    }
  }

  static void report(String what, long bytes, double seconds, String peer, double peerSeconds) {
    System.out.printf(
        Locale.ROOT,
        "%s: %.1f MB in %.3f s median = %.1f MB/s; %s %.3f s = %.1f MB/s; ratio %.2fx of the %s%n",
        what,
        bytes / 1e6,
        seconds,
        bytes / 1e6 / seconds,
        peer,
        peerSeconds,
        bytes / 1e6 / peerSeconds,
        peerSeconds / seconds,
        peer);
  }

  private static void readFully(Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer) >= 0) {
        buffer.clear();
      }
    }
  }

  static void deleteRecursively(Path dir) {
    try {
      LocalTree.delete(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
