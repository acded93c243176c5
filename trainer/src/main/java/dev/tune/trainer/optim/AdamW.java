package dev.tune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW} ({@code optim: adamw_torch}), element for element as its single-tensor
 * path orders the work:
 *
 * <pre>
 * p  *= 1 - lr * weight_decay                   (decoupled decay, before the update)
 * m   = lerp(m, g, 1 - beta1)                   fma(1 - beta1, g - m, m)
 * v   = v * beta2 + (1 - beta2) * g * g         fma((1 - beta2) * g, g, v * beta2)
 * p  += -lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * libtorch evaluates {@code lerp_} and {@code addcmul_} with fused multiply-adds (on CPU and CUDA
 * alike); they are reproduced here through fp64, which makes the moments match torch bit for bit in
 * practice. The moments have the parameter's dtype and device, as {@code zeros_like(p)}; the bias
 * corrections are computed on the host in double from the host-side step count.
 */
public final class AdamW implements Optimizer {

  /** The config name. */
  public static final String NAME = "adamw_torch";

  private static final String LAYOUT = "param_dtype";

  private final AdamWOptions options;
  private final NDManager states;
  private final ScalarOperands scalars;
  private final Map<String, Moments> moments = new LinkedHashMap<>();

  /**
   * @param options the hyperparameters
   * @param parent the manager under which the optimizer keeps its state
   */
  public AdamW(AdamWOptions options, NDManager parent) {
    this.options = options;
    this.states = parent.newSubManager();
    this.scalars = new ScalarOperands(parent);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void step(List<TrainableParameter> params, double lr) {
    AdamWOptions.checkLearningRate(lr);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (TrainableParameter param : params) {
        update(param, lr);
      }
    }
  }

  private void update(TrainableParameter param, double lr) {
    NDArray p = param.array();
    Moments state = moments.computeIfAbsent(param.name(), name -> Moments.zeros(p, states));
    state.placeLike(param, states);
    state.step++;
    NDArray grad = param.gradient();

    if (options.weightDecay() != 0 && param.weightDecay()) {
      p.muli(scalars.of((float) (1 - lr * options.weightDecay())));
    }
    NDArray g = grad.toType(DataType.FLOAT32, false);
    // exp_avg.lerp_(grad, 1 - beta1)
    state.expAvg.intern(asStateType(lerp(state.expAvg, g, (float) (1 - options.beta1())), p));
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2), which libtorch fuses as
    // fma(value * grad, grad, exp_avg_sq * beta2)
    // (mul_ rounds to the state's dtype before the fused add, as in torch)
    NDArray decayed =
        state.expAvgSq.mul(scalars.of((float) options.beta2())).toType(DataType.FLOAT32, false);
    NDArray scaledGrad = g.mul(scalars.of((float) (1 - options.beta2())));
    state.expAvgSq.intern(asStateType(fusedMultiplyAdd(scaledGrad, g, decayed), p));

    double biasCorrection1 = 1 - Math.pow(options.beta1(), (double) state.step);
    double biasCorrection2 = 1 - Math.pow(options.beta2(), (double) state.step);
    double stepSize = lr / biasCorrection1;
    NDArray denom =
        state
            .expAvgSq
            .sqrt()
            .divi(scalars.of((float) Math.sqrt(biasCorrection2)))
            .addi(scalars.of((float) options.eps()));
    // addcdiv_(exp_avg, denom, value=-step_size) evaluates (value * exp_avg) / denom
    p.addi(state.expAvg.mul(scalars.of((float) -stepSize)).divi(denom));
  }

  /**
   * torch's {@code lerp}: {@code fma(w, end - self, self)} for {@code |w| < 0.5}, else {@code fma(w
   * - 1, end - self, end)}, in fp32 (libtorch's CPU and CUDA kernels both fuse it).
   */
  private NDArray lerp(NDArray self, NDArray end, float weight) {
    NDArray start = self.toType(DataType.FLOAT32, false);
    NDArray diff = end.sub(start);
    return Math.abs(weight) < 0.5f
        ? fusedMultiplyAdd(diff, scalars.of(weight), start)
        : fusedMultiplyAdd(diff, scalars.of(weight - 1f), end);
  }

  /**
   * {@code a * b + c} for fp32 operands with one rounding, as a fused multiply-add: the product of
   * two floats is exact in fp64, so only the fp64 sum and its cast round (differing from a true fma
   * only when the fp64 sum lands exactly halfway between two floats).
   */
  private static NDArray fusedMultiplyAdd(NDArray a, NDArray b, NDArray c) {
    return a.toType(DataType.FLOAT64, false)
        .mul(b.toType(DataType.FLOAT64, false))
        .addi(c.toType(DataType.FLOAT64, false))
        .toType(DataType.FLOAT32, false);
  }

  /** An fp32 result in the parameter's dtype, as a new array for a state to take over. */
  private static NDArray asStateType(NDArray fp32, NDArray param) {
    return param.getDataType() == DataType.FLOAT32 ? fp32 : fp32.toType(param.getDataType(), false);
  }

  @Override
  public OptimizerState state(NDManager manager) {
    Map<String, StateMetadata.ParamEntry> entries = new LinkedHashMap<>();
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    moments.forEach(
        (name, state) -> {
          entries.put(name, new StateMetadata.ParamEntry(state.step, LAYOUT));
          tensors.put(name + ".exp_avg", copyInto(state.expAvg, manager));
          tensors.put(name + ".exp_avg_sq", copyInto(state.expAvgSq, manager));
        });
    String json = new StateMetadata(NAME, StateMetadata.FORMAT_VERSION, options, entries).toJson();
    return new OptimizerState(json, tensors);
  }

  @Override
  public void loadState(OptimizerState state) {
    StateMetadata metadata =
        StateMetadata.fromJson(state.metadataJson()).requireFrom(NAME, options);
    Map<String, Moments> loaded = new LinkedHashMap<>();
    metadata
        .params()
        .forEach(
            (name, entry) -> {
              Moments restored = new Moments();
              restored.step = entry.step();
              restored.expAvg = copyInto(StateTensors.require(state, name + ".exp_avg"), states);
              restored.expAvgSq =
                  copyInto(StateTensors.require(state, name + ".exp_avg_sq"), states);
              loaded.put(name, restored);
            });
    clearMoments();
    moments.putAll(loaded);
  }

  private static NDArray copyInto(NDArray source, NDManager manager) {
    NDArray copy = source.duplicate();
    NDScope.unregister(copy);
    copy.attach(manager);
    return copy;
  }

  private void clearMoments() {
    moments.values().forEach(Moments::close);
    moments.clear();
  }

  @Override
  public void close() {
    clearMoments();
    states.close();
    scalars.close();
  }

  /** One parameter's state. */
  private static final class Moments implements AutoCloseable {
    long step;
    NDArray expAvg;
    NDArray expAvgSq;

    static Moments zeros(NDArray param, NDManager owner) {
      Moments created = new Moments();
      created.expAvg = owned(param.zerosLike(), owner);
      created.expAvgSq = owned(param.zerosLike(), owner);
      return created;
    }

    /** Moves loaded state to the parameter's device, after checking it belongs to it. */
    void placeLike(TrainableParameter param, NDManager owner) {
      NDArray p = param.array();
      StateTensors.requireShape(param.name(), expAvg, p.getShape());
      StateTensors.requireShape(param.name(), expAvgSq, p.getShape());
      if (!expAvg.getDevice().equals(p.getDevice()) || expAvg.getDataType() != p.getDataType()) {
        NDArray movedAvg =
            owned(expAvg.toDevice(p.getDevice(), true).toType(p.getDataType(), false), owner);
        NDArray movedSq =
            owned(expAvgSq.toDevice(p.getDevice(), true).toType(p.getDataType(), false), owner);
        close();
        expAvg = movedAvg;
        expAvgSq = movedSq;
      }
    }

    private static NDArray owned(NDArray array, NDManager owner) {
      NDScope.unregister(array);
      array.attach(owner);
      return array;
    }

    @Override
    public void close() {
      expAvg.close();
      expAvgSq.close();
    }
  }
}
