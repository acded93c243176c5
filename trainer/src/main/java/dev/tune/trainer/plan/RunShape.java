package dev.tune.trainer.plan;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.tune.core.error.BadInputException;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.optim.OptimizerName;
import dev.tune.trainer.train.ComputePrecision;
import java.util.Objects;

/**
 * What a QLoRA run does per device that decides its memory: the micro-batch, the sequence length,
 * the adapters, the optimizer, checkpointing and the dtypes. Build one with {@link #builder()}.
 *
 * @param batchSize examples per device per forward pass
 * @param seqLen tokens per example (the padded length; plan for {@code max_seq_length})
 * @param lora rank and target modules of the adapters
 * @param optimizer which AdamW keeps the adapters' moments
 * @param gradientCheckpointing whether layers are recomputed in the backward pass
 * @param computeDtype the projections' matmul dtype: FLOAT16 on a GPU, FLOAT32 on a CPU
 * @param quantize4bit whether the projections are stored in NF4 ({@code load_in_4bit})
 * @param doubleQuant whether NF4's block constants are quantized again
 */
public record RunShape(
    int batchSize,
    int seqLen,
    LoraSpec lora,
    OptimizerName optimizer,
    boolean gradientCheckpointing,
    DataType computeDtype,
    boolean quantize4bit,
    boolean doubleQuant) {

  public RunShape {
    Objects.requireNonNull(lora, "lora");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(computeDtype, "computeDtype");
    if (batchSize < 1) {
      throw new BadInputException(
          "batch size must be at least 1, got " + batchSize, "pass a positive batch size");
    }
    if (seqLen < 2) {
      throw new BadInputException(
          "sequence length must be at least 2, got " + seqLen, "pass a longer sequence length");
    }
    if (computeDtype != DataType.FLOAT16 && computeDtype != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "the trainer computes in FLOAT16 or FLOAT32, not " + computeDtype.name());
    }
  }

  /**
   * The shape of a {@code tune.yaml} run: its micro-batch, {@code max_seq_length}, adapters,
   * optimizer, checkpointing, and the compute dtype the trainer picks on a GPU ({@code gpu}) or the
   * CPU.
   */
  public static RunShape of(TrainSpec spec, boolean gpu) {
    TrainingArguments training = spec.training();
    ComputePrecision precision =
        ComputePrecision.resolve(gpu ? Device.gpu() : Device.cpu(), spec.quantization(), training);
    return new RunShape(
        training.perDeviceTrainBatchSize(),
        Math.max(2, spec.data().maxSeqLength()),
        spec.lora(),
        OptimizerName.valueOf(training.optim().name()),
        training.gradientCheckpointing(),
        precision.computeDtype(),
        spec.quantization().loadIn4bit(),
        spec.quantization().useDoubleQuant());
  }

  /** Tokens of one micro-batch. */
  public long tokens() {
    return (long) batchSize * seqLen;
  }

  /** Bytes per element of the compute dtype. */
  int computeBytes() {
    return computeDtype.getNumOfBytes();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .batchSize(batchSize)
        .seqLen(seqLen)
        .lora(lora)
        .optimizer(optimizer)
        .gradientCheckpointing(gradientCheckpointing)
        .computeDtype(computeDtype)
        .quantize4bit(quantize4bit)
        .doubleQuant(doubleQuant);
  }

  /**
   * Defaults: a GPU QLoRA run of batch 1 at 2048 tokens, LoRA r 16 on every linear layer, 8-bit
   * paged AdamW, gradient checkpointing, float16 compute, NF4 with double quantization.
   */
  public static final class Builder {
    private int batchSize = 1;
    private int seqLen = 2048;
    private LoraSpec lora = new LoraSpec(16, 32, 0.05, java.util.List.of(LoraSpec.ALL_LINEAR));
    private OptimizerName optimizer = OptimizerName.PAGED_ADAMW_8BIT;
    private boolean gradientCheckpointing = true;
    private DataType computeDtype = DataType.FLOAT16;
    private boolean quantize4bit = true;
    private boolean doubleQuant = true;

    private Builder() {}

    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    public Builder seqLen(int value) {
      seqLen = value;
      return this;
    }

    public Builder lora(LoraSpec value) {
      lora = value;
      return this;
    }

    /** A new rank for the current adapters' targets. */
    public Builder loraRank(int r) {
      lora = new LoraSpec(r, lora.alpha(), lora.dropout(), lora.targetModules());
      return this;
    }

    public Builder optimizer(OptimizerName value) {
      optimizer = value;
      return this;
    }

    public Builder gradientCheckpointing(boolean value) {
      gradientCheckpointing = value;
      return this;
    }

    public Builder computeDtype(DataType value) {
      computeDtype = value;
      return this;
    }

    public Builder quantize4bit(boolean value) {
      quantize4bit = value;
      return this;
    }

    public Builder doubleQuant(boolean value) {
      doubleQuant = value;
      return this;
    }

    public RunShape build() {
      return new RunShape(
          batchSize,
          seqLen,
          lora,
          optimizer,
          gradientCheckpointing,
          computeDtype,
          quantize4bit,
          doubleQuant);
    }
  }
}
