package dev.tune.trainer.export;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@link ModelMerger#merge} wrote.
 *
 * @param outputDir the model directory
 * @param dtype the weights' dtype
 * @param mergedModules the modules an adapter was folded into, sorted
 * @param tensors how many tensors the weights hold
 * @param weightBytes the tensor bytes written (headers excluded)
 * @param weightFiles the safetensors files and index, by name
 * @param copiedFiles the other files taken over from the base (tokenizer, generation config...)
 * @param elapsed the time from start to the directory in place
 */
public record MergeResult(
    Path outputDir,
    ExportDtype dtype,
    List<String> mergedModules,
    int tensors,
    long weightBytes,
    List<String> weightFiles,
    List<String> copiedFiles,
    Duration elapsed) {

  public MergeResult {
    mergedModules = List.copyOf(mergedModules);
    weightFiles = List.copyOf(weightFiles);
    copiedFiles = List.copyOf(copiedFiles);
  }

  /** Weight bytes per second, in MB (10^6 bytes) per second. */
  public double megabytesPerSecond() {
    double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
    return weightBytes / 1e6 / seconds;
  }
}
