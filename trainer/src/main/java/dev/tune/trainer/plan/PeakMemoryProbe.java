package dev.tune.trainer.plan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.core.storage.LocalTree;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.Optimizer;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.optim.OptimizerName;
import dev.tune.trainer.train.ComputePrecision;
import dev.tune.trainer.train.QloraModel;
import dev.tune.trainer.train.QloraModelPreparer;
import dev.tune.trainer.train.QloraTrainer;
import dev.tune.trainer.train.TrainingExample;
import dev.tune.trainer.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the native memory a CPU training run really allocates, to hold {@link QloraMemoryModel}
 * to account. Runs in a process of its own (Linux only: it reads {@code /proc/self/statm}) and adds
 * up:
 *
 * <ol>
 *   <li>what the prepared model holds: the bytes of every live NDArray (NF4 codes and constants,
 *       float32 embeddings and norms, the head, LoRA weights);
 *   <li>what the run keeps from step to step: the optimizer's moments (live NDArrays at the end)
 *       and one gradient per trainable parameter;
 *   <li>the step's transient peak: how far the anonymous resident memory rises during the second
 *       optimizer step above its lowest point in that step (activations, backward temporaries,
 *       workspaces), sampled every millisecond.
 * </ol>
 *
 * Measuring the transient within the second step, rather than from before the first, leaves out
 * what the process grows once and keeps (the JIT's code and the classes the trainer loads,
 * libtorch's first-use allocations), about 15 to 55 MB that varies from run to run; leaving
 * file-backed pages out ignores the kernel mapping and evicting libtorch's code and the JDK's
 * module image, which moved a resident-size peak by up to 50 MB. The child fixes glibc's mmap
 * threshold, so that freed blocks go back to the kernel at once and the resident size follows what
 * is live, and pre-touches a fixed Java heap, so that heap growth does not count.
 */
public final class PeakMemoryProbe {

  private static final Pattern RESULT =
      Pattern.compile("probe model_bytes=(\\d+) step_rise_bytes=(\\d+)");

  /**
   * What a run allocated.
   *
   * @param modelBytes the prepared model's arrays
   * @param stepRiseBytes what a training step adds at its peak above the prepared model: kept
   *     gradients and moments, and the step's transient peak
   */
  public record Measured(long modelBytes, long stepRiseBytes) {
    public long peakBytes() {
      return modelBytes + stepRiseBytes;
    }
  }

  private PeakMemoryProbe() {}

  /**
   * Trains the model in {@code modelDir} for two steps of {@code run} on the CPU (float32, LoRA
   * dropout as given) in a child JVM, and returns what it allocated.
   */
  public static Measured measure(Path modelDir, RunShape run) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xms256m",
            "-Xmx256m",
            "-XX:+AlwaysPreTouch",
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1",
            "-cp",
            System.getProperty("java.class.path"),
            PeakMemoryProbe.class.getName(),
            modelDir.toString(),
            Integer.toString(run.batchSize()),
            Integer.toString(run.seqLen()),
            Boolean.toString(run.gradientCheckpointing()),
            run.optimizer().configName(),
            Integer.toString(run.lora().r()),
            Double.toString(run.lora().dropout()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("MALLOC_MMAP_THRESHOLD_", "65536");
    env.put("MALLOC_TRIM_THRESHOLD_", "131072");
    env.put("MALLOC_ARENA_MAX", "2");
    try {
      Process process = builder.start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(600, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the memory probe did not finish in 10 minutes");
      }
      String text = new String(output, StandardCharsets.UTF_8);
      Matcher m = RESULT.matcher(text);
      if (process.exitValue() != 0 || !m.find()) {
        throw new IllegalStateException(
            "the memory probe failed (exit " + process.exitValue() + "):\n" + text);
      }
      return new Measured(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the memory probe", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing memory", e);
    }
  }

  /**
   * The child: {@code MODEL_DIR BATCH SEQ CHECKPOINTING OPTIM R DROPOUT}; prints {@code probe
   * model_bytes=.. step_rise_bytes=..}.
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int batch = Integer.parseInt(args[1]);
    int seq = Integer.parseInt(args[2]);
    boolean checkpointing = Boolean.parseBoolean(args[3]);
    OptimizerName optim = OptimizerName.fromConfigName(args[4]);
    int r = Integer.parseInt(args[5]);
    double dropout = Double.parseDouble(args[6]);
    LoraSpec lora = new LoraSpec(r, 2 * r, dropout, List.of(LoraSpec.ALL_LINEAR));
    Path output = Files.createTempDirectory("tune-memory-probe");
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      try (NDArray warm = manager.ones(new ai.djl.ndarray.types.Shape(4))) {
        warm.add(warm).close(); // loads libtorch before anything is measured
      }
      try (QloraModel model =
          new QloraModelPreparer(QuantizationSpec.qlora(), lora, ComputePrecision.float32(), 1)
              .prepare(dir, "probe", manager)) {
        long modelBytes = liveBytes(manager);
        int vocab = model.model().config().vocabSize();
        List<TrainingExample> examples = examples(2 * batch, seq, vocab);
        TrainingArguments arguments =
            TrainingArguments.builder()
                .maxSteps(2)
                .perDeviceTrainBatchSize(batch)
                .learningRate(1e-4)
                .loggingSteps(1000)
                .saveSteps(1000)
                .gradientCheckpointing(checkpointing)
                .optim(Optimizer.valueOf(optim.name()))
                .build();
        long[] steadyAndTransient = new long[2];
        System.gc();
        AnonymousMemorySampler sampler = AnonymousMemorySampler.start();
        QloraTrainer.builder(model, arguments)
            .outputDir(output)
            .logSink(line -> {})
            .listener(
                new TrainingListener() {
                  @Override
                  public void onStepEnd(int step, int totalSteps) {
                    if (step == totalSteps - 1) {
                      sampler.restart();
                    } else if (step == totalSteps) {
                      sampler.stop();
                      steadyAndTransient[0] =
                          liveBytes(manager) + gradientBytes(model) - modelBytes;
                      steadyAndTransient[1] = sampler.highest() - sampler.lowest();
                    }
                  }
                })
            .build()
            .train(examples, List.of(), Optional.empty());
        System.out.printf(
            Locale.ROOT,
            "probe model_bytes=%d step_rise_bytes=%d%n",
            modelBytes,
            steadyAndTransient[0] + steadyAndTransient[1]);
      }
    } finally {
      LocalTree.delete(output);
    }
  }

  private static long liveBytes(NDManager manager) {
    long bytes = 0;
    for (NDArray a : manager.getManagedArrays()) {
      bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
    }
    return bytes;
  }

  /** One float32 gradient per trainable parameter, kept (zeroed) between steps. */
  private static long gradientBytes(QloraModel model) {
    long bytes = 0;
    for (var p : model.trainableParameters()) {
      bytes += p.array().getShape().size() * p.array().getDataType().getNumOfBytes();
    }
    return bytes;
  }

  private static List<TrainingExample> examples(int count, int seq, int vocab) {
    Random random = new Random(5);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long[] ids = new long[seq];
      for (int t = 0; t < seq; t++) {
        ids[t] = 3L + random.nextInt(vocab - 3);
      }
      out.add(TrainingExample.ofText(ids));
    }
    return out;
  }

  /**
   * Follows the process's anonymous resident memory ({@code /proc/self/statm}: resident minus
   * file-backed pages) every millisecond. File-backed pages are left out because the kernel maps
   * and evicts them (libtorch's code, the JDK's module image) for reasons of its own, which would
   * move a resident-size peak by tens of MB from run to run.
   */
  private static final class AnonymousMemorySampler implements Runnable {
    private static final long PAGE = 4096;
    private final Thread thread = new Thread(this, "anonymous-memory-sampler");
    private volatile boolean running = true;
    private long lowest;
    private long highest;

    static AnonymousMemorySampler start() {
      AnonymousMemorySampler sampler = new AnonymousMemorySampler();
      sampler.restart();
      sampler.thread.setDaemon(true);
      sampler.thread.start();
      return sampler;
    }

    @Override
    public void run() {
      while (running) {
        sample();
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Forgets what was sampled so far: the range starts from now. */
    synchronized void restart() {
      lowest = anonymousBytes();
      highest = lowest;
    }

    private synchronized void sample() {
      long now = anonymousBytes();
      lowest = Math.min(lowest, now);
      highest = Math.max(highest, now);
    }

    /** Stops sampling, taking a last sample now. */
    void stop() {
      running = false;
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sample();
    }

    synchronized long lowest() {
      return lowest;
    }

    synchronized long highest() {
      return highest;
    }

    private static long anonymousBytes() {
      try {
        String[] fields = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
        return (Long.parseLong(fields[1]) - Long.parseLong(fields[2])) * PAGE;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
