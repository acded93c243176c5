package dev.tune.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.safetensors.SafetensorsFile;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimizer state through a safetensors file, as a resumable checkpoint stores it. */
class OptimizerStateSafetensorsTest {

  private static final int N = 4196;
  private static final int STEPS = 5;
  private static final int SAVED_AFTER = 2;
  private static final AdamWOptions OPTIONS = new AdamWOptions(0.9, 0.999, 1e-8, 0.01);

  @TempDir Path dir;

  private NDManager manager;
  private float[] start;
  private float[][] grads;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    Random random = new Random(21);
    start = new float[N];
    for (int i = 0; i < N; i++) {
      start[i] = (float) random.nextGaussian();
    }
    grads = new float[STEPS][N];
    for (float[] step : grads) {
      for (int i = 0; i < N; i++) {
        step[i] = (float) (random.nextGaussian() * 0.1);
      }
    }
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"adamw_torch", "adamw_8bit", "paged_adamw_8bit"})
  void resumesBitExactlyFromAFile(String optim) {
    OptimizerName name = OptimizerName.fromConfigName(optim);
    NDArray straight = parameter();
    try (Optimizer optimizer = name.create(OPTIONS, manager)) {
      for (int t = 0; t < STEPS; t++) {
        Gradients.set(straight, grads[t]);
        optimizer.step(List.of(TrainableParameter.of("w", straight)), 1e-2);
      }
    }

    NDArray resumed = parameter();
    Path file = dir.resolve("optimizer.safetensors");
    try (Optimizer first = name.create(OPTIONS, manager)) {
      for (int t = 0; t < SAVED_AFTER; t++) {
        Gradients.set(resumed, grads[t]);
        first.step(List.of(TrainableParameter.of("w", resumed)), 1e-2);
      }
      try (OptimizerState state = first.state(manager)) {
        SafetensorsWriter.builder()
            .metadata(Map.of(OptimizerState.METADATA_KEY, state.metadataJson()))
            .build()
            .writeFile(file, state.tensors());
      }
    }
    try (Optimizer second = name.create(OPTIONS, manager);
        OptimizerState loaded = read(file)) {
      if (!optim.equals("adamw_torch")) {
        assertThat(loaded.tensors().get("w.state1").getDataType()).isEqualTo(DataType.UINT8);
      }
      second.loadState(loaded);
      for (int t = SAVED_AFTER; t < STEPS; t++) {
        Gradients.set(resumed, grads[t]);
        second.step(List.of(TrainableParameter.of("w", resumed)), 1e-2);
      }
    }
    assertThat(resumed.toFloatArray()).containsExactly(straight.toFloatArray());
  }

  private OptimizerState read(Path file) {
    try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (String name : safetensors.names()) {
        tensors.put(name, safetensors.load(name, manager));
      }
      return new OptimizerState(safetensors.metadata().get(OptimizerState.METADATA_KEY), tensors);
    }
  }

  private NDArray parameter() {
    NDArray array = manager.create(start, new Shape(4, 1049));
    array.setRequiresGradient(true);
    return array;
  }
}
