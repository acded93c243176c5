package dev.tune.trainer.eval;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Evaluator#evaluate(EvalRequest)} measures: the mean next-token loss of a model
 * (optionally with a LoRA adapter) on the texts of a JSON Lines file.
 *
 * @param modelDir a Hugging Face model directory
 * @param adapterDir a LoRA adapter to apply, unmerged
 * @param dataFile JSON Lines, one {@code {"text": ...}} per line
 * @param batchSize records per forward pass (padded to the longest of them)
 */
public record EvalRequest(Path modelDir, Optional<Path> adapterDir, Path dataFile, int batchSize) {

  /** Records per forward pass unless asked otherwise. */
  public static final int DEFAULT_BATCH_SIZE = 8;

  public EvalRequest {
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(adapterDir, "adapterDir");
    Objects.requireNonNull(dataFile, "dataFile");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link EvalRequest}; the model directory and data file are required. */
  public static final class Builder {
    private Path modelDir;
    private Path adapterDir;
    private Path dataFile;
    private int batchSize = DEFAULT_BATCH_SIZE;

    private Builder() {}

    public Builder modelDir(Path value) {
      this.modelDir = value;
      return this;
    }

    /** The adapter; null for none. */
    public Builder adapterDir(Path value) {
      this.adapterDir = value;
      return this;
    }

    public Builder dataFile(Path value) {
      this.dataFile = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public EvalRequest build() {
      return new EvalRequest(modelDir, Optional.ofNullable(adapterDir), dataFile, batchSize);
    }
  }
}
