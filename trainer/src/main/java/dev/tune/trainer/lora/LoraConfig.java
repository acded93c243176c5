package dev.tune.trainer.lora;

import java.util.Objects;

/**
 * A LoRA adapter's hyper-parameters, named and defaulted as in peft's {@code LoraConfig}.
 *
 * <p>Only the plain LoRA that QLoRA uses is supported: no bias training ({@code bias="none"}),
 * weights stored as {@code [out, in]} ({@code fan_in_fan_out=false}).
 *
 * @param r the rank
 * @param loraAlpha the numerator of the scaling
 * @param loraDropout dropout probability on the adapter's input while training, in [0, 1)
 * @param targetModules which linear layers get an adapter
 * @param useRslora rank-stabilised scaling {@code alpha / sqrt(r)} instead of {@code alpha / r}
 * @param bias peft's bias mode; only {@code "none"}
 * @param fanInFanOut peft's flag for transposed weights; only {@code false}
 * @param baseModelNameOrPath written to {@code adapter_config.json}; may be null
 */
public record LoraConfig(
    int r,
    double loraAlpha,
    double loraDropout,
    TargetModules targetModules,
    boolean useRslora,
    String bias,
    boolean fanInFanOut,
    String baseModelNameOrPath) {

  /** The only bias mode supported. */
  public static final String BIAS_NONE = "none";

  public LoraConfig {
    if (r <= 0) {
      throw new IllegalArgumentException("LoRA r must be a positive integer, got " + r);
    }
    if (!Double.isFinite(loraAlpha)) {
      throw new IllegalArgumentException(
          "LoRA lora_alpha must be a finite number, got " + loraAlpha);
    }
    if (!(loraDropout >= 0.0 && loraDropout < 1.0)) {
      throw new IllegalArgumentException("LoRA lora_dropout must be in [0, 1), got " + loraDropout);
    }
    Objects.requireNonNull(targetModules, "targetModules");
    Objects.requireNonNull(bias, "bias");
    if (!bias.equals(BIAS_NONE)) {
      throw new IllegalArgumentException(
          "LoRA bias=\""
              + bias
              + "\" is not supported: tune trains no biases; use bias=\"none\" (peft's default)");
    }
    if (fanInFanOut) {
      throw new IllegalArgumentException(
          "LoRA fan_in_fan_out=true is for GPT-2 style Conv1D layers that tune does not have;"
              + " use fan_in_fan_out=false");
    }
  }

  /** peft's scaling: {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA. */
  public double scaling() {
    return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
  }

  /** A builder with peft's defaults: r 8, alpha 8, dropout 0, no rsLoRA, bias none. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this config. */
  public Builder toBuilder() {
    return new Builder()
        .r(r)
        .loraAlpha(loraAlpha)
        .loraDropout(loraDropout)
        .targetModules(targetModules)
        .useRslora(useRslora)
        .bias(bias)
        .fanInFanOut(fanInFanOut)
        .baseModelNameOrPath(baseModelNameOrPath);
  }

  /** Mutable builder; {@link #targetModules} is required. */
  public static final class Builder {
    private int r = 8;
    private double loraAlpha = 8;
    private double loraDropout = 0.0;
    private TargetModules targetModules;
    private boolean useRslora;
    private String bias = BIAS_NONE;
    private boolean fanInFanOut;
    private String baseModelNameOrPath;

    private Builder() {}

    public Builder r(int value) {
      this.r = value;
      return this;
    }

    public Builder loraAlpha(double value) {
      this.loraAlpha = value;
      return this;
    }

    public Builder loraDropout(double value) {
      this.loraDropout = value;
      return this;
    }

    public Builder targetModules(TargetModules value) {
      this.targetModules = value;
      return this;
    }

    public Builder useRslora(boolean value) {
      this.useRslora = value;
      return this;
    }

    public Builder bias(String value) {
      this.bias = value;
      return this;
    }

    public Builder fanInFanOut(boolean value) {
      this.fanInFanOut = value;
      return this;
    }

    public Builder baseModelNameOrPath(String value) {
      this.baseModelNameOrPath = value;
      return this;
    }

    public LoraConfig build() {
      if (targetModules == null) {
        throw new IllegalArgumentException(
            "LoRA target_modules is required: a list of layer names or \"all-linear\"");
      }
      return new LoraConfig(
          r,
          loraAlpha,
          loraDropout,
          targetModules,
          useRslora,
          bias,
          fanInFanOut,
          baseModelNameOrPath);
    }
  }
}
