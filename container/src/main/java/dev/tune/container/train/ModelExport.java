package dev.tune.container.train;

import dev.tune.core.storage.LocalTree;
import dev.tune.trainer.export.MergeRequest;
import dev.tune.trainer.export.MergeResult;
import dev.tune.trainer.export.ModelMerger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Puts the trained adapter and the model to deploy where the platform collects them. */
final class ModelExport {
  /** The files of a peft adapter directory; a checkpoint holds more (optimizer, trainer state). */
  static final List<String> ADAPTER_FILES =
      List.of("adapter_config.json", "adapter_model.safetensors");

  private ModelExport() {}

  /**
   * Copies the adapter's files from {@code trained} (a run's output or checkpoint) to {@code to}.
   */
  static void copyAdapter(Path trained, Path to) {
    try {
      Files.createDirectories(to);
      for (String name : ADAPTER_FILES) {
        Files.copy(trained.resolve(name), to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the adapter from " + trained + " to " + to, e);
    }
  }

  /**
   * Merges the adapter into the base model and moves the result into {@code modelDir}. The merge
   * writes to {@code workDir} first: the platform may have made {@code modelDir} itself
   * (SageMaker's {@code /opt/ml/model}), so it is filled, not replaced.
   */
  static MergeResult merge(
      Path baseDir, Path adapterDir, Path modelDir, Path workDir, boolean fromQuantized) {
    Path staging = workDir.resolve("merged");
    MergeResult result =
        ModelMerger.merge(
            MergeRequest.builder()
                .baseDir(baseDir)
                .adapterDir(adapterDir)
                .outputDir(staging)
                .fromQuantized(fromQuantized)
                .overwrite(true)
                .build());
    moveContents(staging, modelDir);
    return result;
  }

  /** Moves every file below {@code from} to the same place below {@code to}, replacing. */
  static void moveContents(Path from, Path to) {
    try {
      Files.createDirectories(to);
      List<Path> files;
      try (Stream<Path> walk = Files.walk(from)) {
        files = walk.filter(Files::isRegularFile).toList();
      }
      for (Path file : files) {
        Path target = to.resolve(from.relativize(file).toString());
        Files.createDirectories(target.getParent());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
      }
      LocalTree.delete(from);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + from + " into " + to, e);
    }
  }
}
