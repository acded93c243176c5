package dev.tune.trainer.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One LoRA adapter on one linear layer, computed as peft's {@code lora.Linear} does.
 *
 * <p>{@code A} has shape {@code [r, in]} and {@code B} {@code [out, r]}, as peft stores {@code
 * lora_A.weight} and {@code lora_B.weight}. Both are kept in float32 whatever the base model's
 * dtype, as peft does by default ({@code autocast_adapter_dtype=True}): the input is cast to
 * float32 and the delta {@code B(A(dropout(x))) * scaling} is returned in float32. The caller
 * ({@code Linear}) adds it to the base output and casts the sum back to the base output's dtype,
 * which rounds once, as peft's {@code lora.Linear.forward} does.
 *
 * <p>Arrays made by {@link #apply} belong to the input's manager, so a per-step scope frees them;
 * {@code A} and {@code B} belong to the manager they were created in.
 */
public final class LoraAdapter implements LoraDelta {

  /** The dtype of {@code A} and {@code B}. */
  public static final DataType DTYPE = DataType.FLOAT32;

  private final NDArray loraA;
  private final NDArray loraB;
  private final double scaling;
  private final double dropout;
  private boolean training;

  private LoraAdapter(NDArray loraA, NDArray loraB, double scaling, double dropout) {
    this.loraA = loraA;
    this.loraB = loraB;
    this.scaling = scaling;
    this.dropout = dropout;
  }

  /**
   * A fresh adapter as peft initialises it ({@code init_lora_weights=True}): {@code A} drawn
   * kaiming-uniform with {@code a = sqrt(5)}, i.e. uniform in {@code ±1/sqrt(in)}, and {@code B}
   * zero, so the adapted layer starts equal to the base layer. Both require gradients.
   *
   * @param random the source of {@code A}'s values; the same seed gives the same adapter
   */
  public static LoraAdapter initialize(
      NDManager manager,
      int inFeatures,
      int outFeatures,
      LoraConfig config,
      RandomGenerator random) {
    if (inFeatures <= 0 || outFeatures <= 0) {
      throw new IllegalArgumentException(
          "a LoRA adapter needs positive in/out features, got in="
              + inFeatures
              + " out="
              + outFeatures);
    }
    int r = config.r();
    float[] a = new float[Math.multiplyExact(r, inFeatures)];
    double bound = kaimingUniformBound(inFeatures);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextDouble(-bound, bound);
    }
    NDArray loraA = manager.create(a, new Shape(r, inFeatures));
    NDArray loraB = manager.zeros(new Shape(outFeatures, r), DTYPE);
    LoraAdapter adapter = new LoraAdapter(loraA, loraB, config.scaling(), config.loraDropout());
    adapter.setTrainable(true);
    return adapter;
  }

  /**
   * An adapter over existing weights (e.g. read from {@code adapter_model.safetensors}); they are
   * converted to float32 if needed and used as they are otherwise. They do not require gradients
   * until {@link #setTrainable} says so.
   */
  public static LoraAdapter of(NDArray loraA, NDArray loraB, LoraConfig config) {
    Objects.requireNonNull(loraA, "loraA");
    Objects.requireNonNull(loraB, "loraB");
    Shape a = loraA.getShape();
    Shape b = loraB.getShape();
    if (a.dimension() != 2 || b.dimension() != 2) {
      throw new IllegalArgumentException(
          "LoRA weights must be matrices, got lora_A " + a + " and lora_B " + b);
    }
    if (a.get(0) != config.r() || b.get(1) != config.r()) {
      throw new IllegalArgumentException(
          "LoRA weights lora_A "
              + a
              + " and lora_B "
              + b
              + " do not have the configured rank r="
              + config.r()
              + " (expected lora_A [r, in] and lora_B [out, r])");
    }
    return new LoraAdapter(
        loraA.toType(DTYPE, false),
        loraB.toType(DTYPE, false),
        config.scaling(),
        config.loraDropout());
  }

  /**
   * {@code sqrt(6 / ((1 + a²) · fan_in))} with {@code a = sqrt(5)}, which is {@code 1/sqrt(in)}.
   */
  public static double kaimingUniformBound(int fanIn) {
    double a = Math.sqrt(5);
    return Math.sqrt(6.0 / ((1 + a * a) * fanIn));
  }

  /**
   * {@code dropout(x)·Aᵀ·Bᵀ·scaling} in float32, with dropout only in training mode. Dropout draws
   * from the engine's generator, so {@code Engine.getInstance().setRandomSeed(seed)} makes it
   * reproducible.
   */
  @Override
  public NDArray apply(NDArray x) {
    NDArray input = x.toType(DTYPE, false);
    if (training && dropout > 0) {
      input = Dropout.dropout(input, (float) dropout, true).singletonOrThrow();
    }
    NDArray down = Linear.linear(input, loraA).singletonOrThrow();
    NDArray up = Linear.linear(down, loraB).singletonOrThrow();
    return up.mul(scaling);
  }

  /**
   * The base weight with this adapter merged in, {@code W + (B·A)·scaling}, computed in float32 and
   * cast to {@code weight}'s dtype, as peft's {@code merge}. The result belongs to {@code weight}'s
   * manager; {@code weight} itself is left as it is.
   */
  public NDArray mergeInto(NDArray weight) {
    return mergeInto(weight, weight.getDataType());
  }

  /**
   * As {@link #mergeInto(NDArray)}, with the sum cast to {@code dtype}: a dequantized float32 base
   * merged for export in half precision, for instance.
   */
  public NDArray mergeInto(NDArray weight, DataType dtype) {
    Shape expected = new Shape(outFeatures(), inFeatures());
    if (!weight.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          "cannot merge a LoRA adapter for a " + expected + " weight into a " + weight.getShape());
    }
    NDManager owner = weight.getManager();
    try (NDManager scratch = owner.newSubManager()) {
      loraA.tempAttach(scratch);
      loraB.tempAttach(scratch);
      weight.tempAttach(scratch);
      NDArray delta = loraB.matMul(loraA).mul(scaling);
      NDArray merged = weight.toType(DTYPE, false).add(delta).toType(dtype, false);
      merged.attach(owner);
      return merged;
    }
  }

  /** Turns dropout on (training) or off (evaluation). */
  public void setTraining(boolean training) {
    this.training = training;
  }

  public boolean isTraining() {
    return training;
  }

  /** Whether {@code A} and {@code B} record gradients inside a {@code GradientCollector}. */
  public void setTrainable(boolean trainable) {
    loraA.setRequiresGradient(trainable);
    loraB.setRequiresGradient(trainable);
  }

  /** {@code lora_A.weight}, shape {@code [r, in]}. */
  public NDArray loraA() {
    return loraA;
  }

  /** {@code lora_B.weight}, shape {@code [out, r]}. */
  public NDArray loraB() {
    return loraB;
  }

  public double scaling() {
    return scaling;
  }

  public double dropout() {
    return dropout;
  }

  public int rank() {
    return Math.toIntExact(loraA.getShape().get(0));
  }

  public int inFeatures() {
    return Math.toIntExact(loraA.getShape().get(1));
  }

  public int outFeatures() {
    return Math.toIntExact(loraB.getShape().get(0));
  }
}
