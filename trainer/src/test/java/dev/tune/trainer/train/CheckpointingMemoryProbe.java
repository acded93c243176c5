package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.train.QuantizationSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one training forward and backward of a model directory, with or without gradient
 * checkpointing, in a process of its own, and prints how far the resident memory rose above what it
 * was before the step: {@code probe baseline_kb=... peak_kb=...}. The peak is the kernel's
 * high-water mark ({@code VmHWM}), reset just before the step.
 *
 * <p>Arguments: the model directory, {@code true}/{@code false} for checkpointing, the batch size
 * and the sequence length.
 */
public final class CheckpointingMemoryProbe {

  private static final Pattern FIELD = Pattern.compile("(VmRSS|VmHWM):\\s+(\\d+) kB");

  private CheckpointingMemoryProbe() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    boolean checkpointing = Boolean.parseBoolean(args[1]);
    int batch = Integer.parseInt(args[2]);
    int seq = Integer.parseInt(args[3]);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        QloraModel model =
            new QloraModelPreparer(
                    QuantizationSpec.qlora(),
                    TrainFixtures.ALL_LINEAR,
                    ComputePrecision.float32(),
                    1)
                .prepare(dir, "probe", manager)) {
      model.lora().setTraining(true);
      Random random = new Random(3);
      List<TrainingExample> examples = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        long[] ids = new long[seq];
        for (int t = 0; t < seq; t++) {
          ids[t] = 3L + random.nextInt(500);
        }
        examples.add(TrainingExample.ofText(ids));
      }
      PaddedBatch padded = PaddedBatch.of(examples, 2);
      TrainingGraph graph = new TrainingGraph(model.model(), checkpointing, new StepSeeds(1));
      try (NDManager step = manager.newSubManager();
          BatchUpload upload = new BatchUpload(List.of(padded), step)) {
        long baseline = read("VmRSS");
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          graph.forwardBackward(upload.device(0, step), step.create(1f / seq), 0, 0);
        }
        long peak = read("VmHWM");
        System.out.println("probe baseline_kb=" + baseline + " peak_kb=" + peak);
      }
    }
  }

  private static long read(String field) throws IOException {
    Matcher m = FIELD.matcher(Files.readString(Path.of("/proc/self/status")));
    while (m.find()) {
      if (m.group(1).equals(field)) {
        return Long.parseLong(m.group(2));
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }
}
