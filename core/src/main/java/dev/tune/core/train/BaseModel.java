package dev.tune.core.train;

import dev.tune.core.artifact.ArtifactUri;
import java.util.Objects;
import java.util.Optional;

/**
 * The pretrained model to fine-tune: a Hugging Face checkpoint directory or Hub repository.
 *
 * @param source where the checkpoint is ({@code hf://}, {@code s3://}, {@code gs://} or a path)
 * @param token the Hugging Face token for gated or private repositories
 */
public record BaseModel(ArtifactUri source, Optional<Secret> token) {
  public BaseModel {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(token, "token");
  }

  /** A public model that needs no token. */
  public static BaseModel of(ArtifactUri source) {
    return new BaseModel(source, Optional.empty());
  }
}
