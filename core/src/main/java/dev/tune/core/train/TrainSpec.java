package dev.tune.core.train;

import java.util.Objects;

/**
 * Everything the trainer needs for one fine-tuning run. Providers ship it to the container; the
 * trainer reads it there.
 *
 * <pre>{@code
 * TrainSpec spec = TrainSpec.builder()
 *     .model(BaseModel.of(ArtifactUri.parse("hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main")))
 *     .data(DataSpec.of(ArtifactUri.parse("data/train.jsonl")))
 *     .output(OutputSpec.named("tinyllama-support"))
 *     .training(TrainingArguments.builder().learningRate(2e-4).maxSteps(200).build())
 *     .build();
 * }</pre>
 *
 * @param model the pretrained model
 * @param quantization how the frozen base weights are stored
 * @param lora the adapter
 * @param data the training (and evaluation) data
 * @param training the hyperparameters
 * @param output what is produced and where
 */
public record TrainSpec(
    BaseModel model,
    QuantizationSpec quantization,
    LoraSpec lora,
    DataSpec data,
    TrainingArguments training,
    OutputSpec output) {

  public TrainSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(quantization, "quantization");
    Objects.requireNonNull(lora, "lora");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(output, "output");
  }

  /**
   * A builder; model, data and output are required, the rest default to QLoRA quantization, peft's
   * LoRA defaults and the Trainer's hyperparameters.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this value's fields. */
  public Builder toBuilder() {
    return new Builder()
        .model(model)
        .quantization(quantization)
        .lora(lora)
        .data(data)
        .training(training)
        .output(output);
  }

  /** Builds {@link TrainSpec}. */
  public static final class Builder {
    private BaseModel model;
    private QuantizationSpec quantization = QuantizationSpec.qlora();
    private LoraSpec lora = LoraSpec.defaults();
    private DataSpec data;
    private TrainingArguments training = TrainingArguments.defaults();
    private OutputSpec output;

    private Builder() {}

    public Builder model(BaseModel value) {
      model = value;
      return this;
    }

    public Builder quantization(QuantizationSpec value) {
      quantization = value;
      return this;
    }

    public Builder lora(LoraSpec value) {
      lora = value;
      return this;
    }

    public Builder data(DataSpec value) {
      data = value;
      return this;
    }

    public Builder training(TrainingArguments value) {
      training = value;
      return this;
    }

    public Builder output(OutputSpec value) {
      output = value;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @throws NullPointerException if model, data or output is unset
     */
    public TrainSpec build() {
      return new TrainSpec(model, quantization, lora, data, training, output);
    }
  }
}
