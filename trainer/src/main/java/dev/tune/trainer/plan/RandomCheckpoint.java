package dev.tune.trainer.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a model directory with seeded random float32 weights for a {@code config.json}: the
 * checkpoint a config describes, for measuring what training it really allocates without
 * downloading the model. Norm weights are one, biases zero, matrices N(0, 0.02).
 */
public final class RandomCheckpoint {

  private RandomCheckpoint() {}

  /**
   * Writes {@code configJson} and matching random weights into {@code dir}; returns {@code dir}.
   */
  public static Path write(Path dir, String configJson, int seed) {
    ModelShapes shapes = ModelShapes.of(ModelConfig.parse(configJson));
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(seed);
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      shapes
          .checkpointTensors()
          .forEach(
              (name, dims) -> {
                Shape shape = new Shape(dims);
                NDArray array;
                if (dims.length == 2) {
                  array = manager.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
                } else if (name.endsWith(".bias")) {
                  array = manager.zeros(shape, DataType.FLOAT32);
                } else {
                  array = manager.ones(shape, DataType.FLOAT32);
                }
                tensors.put(name, array);
              });
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), configJson);
      SafetensorsWriter.create().writeCheckpoint(dir, tensors);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a random checkpoint to " + dir, e);
    }
  }
}
