package dev.tune.trainer.export;

import dev.tune.trainer.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ModelMerger#merge} does: fold the LoRA adapter in {@code adapterDir} into the base
 * model in {@code baseDir} and write a complete Hugging Face model directory to {@code outputDir}.
 *
 * @param baseDir the base model: {@code config.json}, its safetensors weights, tokenizer files
 * @param adapterDir a peft LoRA adapter directory trained on that base
 * @param outputDir where the merged model goes; created, or replaced when {@code overwrite}
 * @param dtype the weights' dtype in the output; empty keeps the base's ({@code config.json})
 * @param maxShardBytes the largest weight file before the weights are split into shards
 * @param fromQuantized merge into the NF4-quantized-then-dequantized projections, as the adapter
 *     saw them in QLoRA training, instead of the original weights
 * @param overwrite replace a non-empty {@code outputDir}
 */
public record MergeRequest(
    Path baseDir,
    Path adapterDir,
    Path outputDir,
    Optional<ExportDtype> dtype,
    long maxShardBytes,
    boolean fromQuantized,
    boolean overwrite) {

  public MergeRequest {
    Objects.requireNonNull(baseDir, "baseDir");
    Objects.requireNonNull(adapterDir, "adapterDir");
    Objects.requireNonNull(outputDir, "outputDir");
    Objects.requireNonNull(dtype, "dtype");
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .baseDir(baseDir)
        .adapterDir(adapterDir)
        .outputDir(outputDir)
        .dtype(dtype.orElse(null))
        .maxShardBytes(maxShardBytes)
        .fromQuantized(fromQuantized)
        .overwrite(overwrite);
  }

  /** Builds a {@link MergeRequest}; the three directories are required. */
  public static final class Builder {
    private Path baseDir;
    private Path adapterDir;
    private Path outputDir;
    private ExportDtype dtype;
    private long maxShardBytes = SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES;
    private boolean fromQuantized;
    private boolean overwrite;

    private Builder() {}

    public Builder baseDir(Path value) {
      this.baseDir = value;
      return this;
    }

    public Builder adapterDir(Path value) {
      this.adapterDir = value;
      return this;
    }

    public Builder outputDir(Path value) {
      this.outputDir = value;
      return this;
    }

    /** The output dtype; null keeps the base's. */
    public Builder dtype(ExportDtype value) {
      this.dtype = value;
      return this;
    }

    /** Default {@link SafetensorsWriter#DEFAULT_MAX_SHARD_BYTES} (5 GB). */
    public Builder maxShardBytes(long value) {
      this.maxShardBytes = value;
      return this;
    }

    public Builder fromQuantized(boolean value) {
      this.fromQuantized = value;
      return this;
    }

    public Builder overwrite(boolean value) {
      this.overwrite = value;
      return this;
    }

    public MergeRequest build() {
      return new MergeRequest(
          baseDir,
          adapterDir,
          outputDir,
          Optional.ofNullable(dtype),
          maxShardBytes,
          fromQuantized,
          overwrite);
    }
  }
}
