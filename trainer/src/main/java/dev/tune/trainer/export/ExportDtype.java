package dev.tune.trainer.export;

import dev.tune.core.error.BadInputException;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import java.util.Locale;
import java.util.Optional;

/** The floating-point type of the weights of an exported model. */
public enum ExportDtype {
  BF16("bfloat16", SafetensorsDtype.BF16),
  FP16("float16", SafetensorsDtype.F16),
  FP32("float32", SafetensorsDtype.F32);

  private final String torchName;
  private final SafetensorsDtype safetensorsDtype;

  ExportDtype(String torchName, SafetensorsDtype safetensorsDtype) {
    this.torchName = torchName;
    this.safetensorsDtype = safetensorsDtype;
  }

  /** The name {@code config.json} gives it ({@code dtype} / {@code torch_dtype}). */
  public String torchName() {
    return torchName;
  }

  public SafetensorsDtype safetensorsDtype() {
    return safetensorsDtype;
  }

  /**
   * Reads a user's spelling: {@code bf16}, {@code fp16}, {@code fp32} or torch's names ({@code
   * bfloat16}, {@code float16}, {@code half}, {@code float32}, {@code float}), any case.
   */
  public static ExportDtype parse(String text) {
    return fromName(text)
        .orElseThrow(
            () ->
                new BadInputException(
                    "Unknown weight dtype '" + text + "'.",
                    "Use bf16, fp16 or fp32 (or bfloat16, float16, float32)."));
  }

  /** The dtype {@code name} stands for, if it is one of the accepted spellings. */
  public static Optional<ExportDtype> fromName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "bf16", "bfloat16", "torch.bfloat16" -> Optional.of(BF16);
      case "fp16", "float16", "half", "torch.float16" -> Optional.of(FP16);
      case "fp32", "float32", "float", "torch.float32" -> Optional.of(FP32);
      default -> Optional.empty();
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
