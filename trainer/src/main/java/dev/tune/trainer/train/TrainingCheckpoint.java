package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.OptimizerState;
import dev.tune.trainer.safetensors.SafetensorsFile;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files of one {@code checkpoint-N} directory: the adapter as peft saves it ({@code
 * adapter_config.json}, {@code adapter_model.safetensors}), the optimizer's state ({@code
 * optimizer.safetensors}: its tensors, with the step counts and settings as JSON in the header's
 * metadata) and {@code trainer_state.json}.
 */
final class TrainingCheckpoint {

  /** The optimizer state's file. */
  static final String OPTIMIZER_FILE = "optimizer.safetensors";

  private TrainingCheckpoint() {}

  /** Writes the checkpoint's files into {@code dir}. */
  static void write(
      Path dir, QloraModel model, Optimizer optimizer, TrainerState state, NDManager scratch) {
    PeftAdapterDir.save(dir, model.lora());
    try (NDManager copies = scratch.newSubManager();
        OptimizerState optimizerState = optimizer.state(copies)) {
      SafetensorsWriter.builder()
          .metadata(
              Map.of("format", "pt", OptimizerState.METADATA_KEY, optimizerState.metadataJson()))
          .build()
          .writeFile(dir.resolve(OPTIMIZER_FILE), optimizerState.tensors());
    }
    state.write(dir);
  }

  /**
   * Restores the adapter's weights and the optimizer's state from {@code dir} and returns its
   * trainer state.
   */
  static TrainerState restore(Path dir, QloraModel model, Optimizer optimizer, NDManager scratch) {
    for (String file : new String[] {OPTIMIZER_FILE, TrainerState.FILE_NAME}) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        throw new IllegalArgumentException(
            dir + " is not a complete checkpoint (no " + file + "); resume from another one");
      }
    }
    TrainerState state = TrainerState.read(dir);
    model.loadAdapterWeights(dir);
    try (NDManager loaded = scratch.newSubManager();
        SafetensorsFile file = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE))) {
      String metadata = file.metadata().get(OptimizerState.METADATA_KEY);
      if (metadata == null) {
        throw new IllegalArgumentException(
            dir.resolve(OPTIMIZER_FILE)
                + " has no '"
                + OptimizerState.METADATA_KEY
                + "' metadata; it was not written by tune's trainer");
      }
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (String name : file.names()) {
        tensors.put(name, file.load(name, loaded));
      }
      try (OptimizerState optimizerState = new OptimizerState(metadata, tensors)) {
        optimizer.loadState(optimizerState);
      }
    }
    return state;
  }
}
