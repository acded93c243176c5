package dev.tune.trainer.plan;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.Secret;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.model.ModelConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a model's {@code config.json} without its weights, from a model directory, the file itself,
 * or a remote model ({@code hf://org/name}, {@code s3://}, {@code gs://}), of which only {@code
 * config.json} is fetched.
 */
public final class ModelConfigSource {

  private ModelConfigSource() {}

  /**
   * @param model a directory, a {@code config.json} path, or a URI the storage backends know
   */
  public static ModelConfig read(String model, Storage storage) {
    return read(ArtifactUri.parse(model), Optional.empty(), storage);
  }

  /**
   * @param token the Hugging Face token a gated or private {@code hf://} model needs
   */
  public static ModelConfig read(ArtifactUri uri, Optional<Secret> token, Storage storage) {
    String model = uri.toString();
    Path local;
    if (uri instanceof FileUri file) {
      local = file.path();
    } else {
      local =
          storage.fetch(
              uri,
              FetchOptions.builder().allow("config.json").token(token).build(),
              ProgressListener.none());
    }
    if (Files.isDirectory(local)) {
      return ModelConfig.read(local);
    }
    if (!Files.isRegularFile(local)) {
      throw new ModelConfigException(
          model + " does not exist", "pass a model directory, its config.json, or hf://org/name");
    }
    try {
      return ModelConfig.parse(Files.readString(local));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + local + ": " + e.getMessage(), e);
    }
  }
}
