package dev.tune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tune.trainer.lora.LoraDelta;
import java.util.Objects;
import java.util.Optional;

/**
 * A projection {@code y = x·Wᵀ (+ b)} with a frozen weight and an optional LoRA adapter.
 *
 * <p>Every projection of the model families is one of these, named as in the checkpoint without the
 * {@code .weight} suffix (e.g. {@code model.layers.0.self_attn.q_proj}).
 *
 * <p>The input is cast to the compute dtype for the product and the result is cast back to the
 * input's dtype, as bitsandbytes' {@code Linear4bit} does; with an adapter the delta is computed
 * from the original input and the sum is cast back to the base output's dtype, as peft's LoRA
 * {@code Linear.forward} does. When all dtypes agree these casts are no-ops.
 */
public final class Linear {

  private final String name;
  private final long inFeatures;
  private final long outFeatures;
  private final NDArray bias;
  private final DataType computeDtype;
  private LinearWeight weight;
  private LoraDelta adapter;

  /**
   * @param name the module name in the checkpoint, without {@code .weight}
   * @param weight the frozen {@code [outFeatures, inFeatures]} weight
   * @param bias the {@code [outFeatures]} bias, or {@code null} when the module has none
   */
  public Linear(
      String name,
      long inFeatures,
      long outFeatures,
      LinearWeight weight,
      NDArray bias,
      DataType computeDtype) {
    this.name = Objects.requireNonNull(name, "name");
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = Objects.requireNonNull(weight, "weight");
    this.bias = bias;
    this.computeDtype = Objects.requireNonNull(computeDtype, "computeDtype");
    if (bias != null && bias.getShape().size() != outFeatures) {
      throw new IllegalArgumentException(
          name + ": bias has shape " + bias.getShape() + ", expected [" + outFeatures + "]");
    }
  }

  /** Computes {@code x·Wᵀ (+ b) (+ adapter(x))} for {@code x} of shape {@code [..., in]}. */
  public NDArray forward(NDArray x) {
    DataType inputDtype = x.getDataType();
    NDArray input = x.toType(computeDtype, false);
    NDArray w = weight.dense(computeDtype);
    NDArray b = bias == null ? null : bias.toType(computeDtype, false);
    NDArray out = input.getNDArrayInternal().linear(input, w, b).singletonOrThrow();
    out = out.toType(inputDtype, false);
    if (adapter != null) {
      DataType baseDtype = out.getDataType();
      out = out.add(adapter.apply(x)).toType(baseDtype, false);
    }
    return out;
  }

  public String name() {
    return name;
  }

  public long inFeatures() {
    return inFeatures;
  }

  public long outFeatures() {
    return outFeatures;
  }

  public DataType computeDtype() {
    return computeDtype;
  }

  public LinearWeight weight() {
    return weight;
  }

  public Optional<NDArray> bias() {
    return Optional.ofNullable(bias);
  }

  /**
   * Replaces the frozen weight (e.g. with its quantized form, or with a merged one) and returns the
   * previous one, which the caller now owns.
   */
  public LinearWeight replaceWeight(LinearWeight newWeight) {
    LinearWeight previous = weight;
    weight = Objects.requireNonNull(newWeight, "newWeight");
    return previous;
  }

  public Optional<LoraDelta> adapter() {
    return Optional.ofNullable(adapter);
  }

  /** Attaches an adapter, replacing any previous one. */
  public void setAdapter(LoraDelta newAdapter) {
    adapter = Objects.requireNonNull(newAdapter, "newAdapter");
  }

  /** Detaches the adapter, if any, and returns it. */
  public Optional<LoraDelta> removeAdapter() {
    Optional<LoraDelta> previous = Optional.ofNullable(adapter);
    adapter = null;
    return previous;
  }

  @Override
  public String toString() {
    return "Linear("
        + name
        + ", in="
        + inFeatures
        + ", out="
        + outFeatures
        + ", bias="
        + (bias != null)
        + ", adapter="
        + (adapter != null)
        + ")";
  }
}
