package dev.tune.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.quant.Blockwise8bit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bitsandbytes' {@code AdamW} with {@code optim_bits=8} ({@code optim: adamw_8bit}) and its paged
 * variant ({@code paged_adamw_8bit}), following the CUDA kernel {@code
 * kOptimizerStatic8bit2StateBlockwise} operation for operation in fp32:
 *
 * <pre>
 * v = dequant(v) * beta2 + (1 - beta2) * g * g        (unsigned dynamic map, blocks of 256)
 * m = dequant(m) * beta1 + (1 - beta1) * g            (signed dynamic map)
 * p = p + (-lr * c2 / c1) * m / (sqrt(v) + c2 * eps)  c1 = 1 - beta1^t, c2 = sqrt(1 - beta2^t)
 * p = p * (1 - lr * weight_decay)                     (after the update, unlike torch)
 * m, v requantized from their new fp32 values with a fresh absmax per block
 * </pre>
 *
 * Elements whose gradient is inf or NaN are not updated and their moments reset to 0. A first
 * moment keeps its sign through requantization (a small negative never becomes code 0). The padding
 * of a last partial block takes part in its absmax as the kernel's does (code 128 / 0, zero
 * gradient). Parameters of fewer than {@value #MIN_8BIT_SIZE} elements keep fp32 moments and take
 * bitsandbytes' 32-bit kernel, as {@code min_8bit_size} makes them.
 *
 * <p>Paged: states of parameters of at least {@value #PAGED_MIN_SIZE} elements (bitsandbytes'
 * threshold for paged buffers) live in host memory and are copied to the parameter's device for the
 * update and back; on a CPU-only machine this is {@code adamw_8bit}.
 *
 * <p>The kernel uses the fast intrinsics {@code __powf} and {@code __fdividef} and contracts
 * multiply-adds; this class computes IEEE fp32 operations, so GPU results may differ in the last
 * bits.
 */
public final class AdamW8bit implements Optimizer {

  /** Config name of the device-resident variant. */
  public static final String NAME = "adamw_8bit";

  /** Config name of the paged variant. */
  public static final String PAGED_NAME = "paged_adamw_8bit";

  /** bitsandbytes' {@code min_8bit_size}: smaller parameters keep fp32 moments. */
  public static final int MIN_8BIT_SIZE = 4096;

  /** bitsandbytes' {@code get_state_buffer} pages only buffers of at least this many elements. */
  public static final long PAGED_MIN_SIZE = 100_000;

  private static final int BLOCKSIZE = Blockwise8bit.DEFAULT_BLOCKSIZE;
  private static final float PADDING_CODE_SIGNED = 128f;
  private static final float PADDING_CODE_UNSIGNED = 0f;
  private static final String LAYOUT_8BIT = "blockwise8bit";
  private static final String LAYOUT_32BIT = "fp32";

  private final AdamWOptions options;
  private final boolean paged;
  private final long pagedMinSize;
  private final NDManager deviceStates;
  private final NDManager hostStates;
  private final ScalarOperands scalars;
  private final StateCode firstMomentCode;
  private final StateCode secondMomentCode;
  private final Map<String, ParamState> states = new LinkedHashMap<>();

  /**
   * @param options the hyperparameters
   * @param parent the manager under which the optimizer keeps its state
   * @param paged whether large states live in host memory between steps
   */
  public AdamW8bit(AdamWOptions options, NDManager parent, boolean paged) {
    this(options, parent, paged, PAGED_MIN_SIZE);
  }

  /** With another paging threshold, so tests can page small states. */
  AdamW8bit(AdamWOptions options, NDManager parent, boolean paged, long pagedMinSize) {
    this.options = options;
    this.paged = paged;
    this.pagedMinSize = pagedMinSize;
    this.deviceStates = parent.newSubManager();
    this.hostStates = parent.newSubManager(Device.cpu());
    this.scalars = new ScalarOperands(parent);
    this.firstMomentCode = new StateCode(Blockwise8bit.signed(), deviceStates);
    this.secondMomentCode = new StateCode(Blockwise8bit.unsigned(), deviceStates);
  }

  @Override
  public String name() {
    return paged ? PAGED_NAME : NAME;
  }

  @Override
  public void step(List<TrainableParameter> params, double lr) {
    AdamWOptions.checkLearningRate(lr);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (TrainableParameter param : params) {
        ParamState state = states.computeIfAbsent(param.name(), name -> create(param.array()));
        state.check(param);
        state.step++;
        KernelScalars k = new KernelScalars(options, lr, state.step, param.weightDecay());
        switch (state) {
          case QuantizedMoments quantized -> update8bit(param, quantized, k);
          case FullMoments full -> update32bit(param, full, k);
        }
      }
    }
  }

  /**
   * The host-side numbers of one kernel launch, in fp32 as the kernel receives and combines them
   * ({@code ct.c_float} arguments).
   */
  private record KernelScalars(
      float beta1,
      float oneMinusBeta1,
      float beta2,
      float oneMinusBeta2,
      float stepSize,
      float scaledEps,
      float decay,
      boolean decays) {

    KernelScalars(AdamWOptions o, double lr, long step, boolean takesDecay) {
      this(o, (float) lr, (float) o.beta1(), (float) o.beta2(), step, takesDecay);
    }

    private KernelScalars(
        AdamWOptions o, float lr, float beta1, float beta2, long step, boolean takesDecay) {
      this(
          beta1,
          1f - beta1,
          beta2,
          1f - beta2,
          (-lr * correction2(beta2, step)) / (1f - (float) Math.pow(beta1, (double) step)),
          correction2(beta2, step) * (float) o.eps(),
          1f - lr * (float) o.weightDecay(),
          takesDecay && (float) o.weightDecay() > 0f);
    }

    private static float correction2(float beta2, long step) {
      return (float) Math.sqrt(1f - (float) Math.pow(beta2, (double) step));
    }
  }

  private void update8bit(TrainableParameter param, QuantizedMoments state, KernelScalars k) {
    NDArray p = param.array();
    Shape shape = p.getShape();
    long numel = shape.size();
    Device device = p.getDevice();

    state.placeOn(device, deviceStates);
    NDArray grad = asBlocks(param.gradient().toType(DataType.FLOAT32, false), numel, 0f);
    NDArray finite = grad.isNaN().logicalOr(grad.isInfinite()).logicalNot();
    NDArray zeros = grad.zerosLike();

    NDArray m =
        dequantize(firstMomentCode, state.codes1, state.absmax1, device, PADDING_CODE_SIGNED);
    NDArray v =
        dequantize(secondMomentCode, state.codes2, state.absmax2, device, PADDING_CODE_UNSIGNED);
    v = v.muli(scalars.of(k.beta2())).addi(grad.mul(scalars.of(k.oneMinusBeta2())).muli(grad));
    m = m.muli(scalars.of(k.beta1())).addi(grad.mul(scalars.of(k.oneMinusBeta1())));
    m = NDArrays.where(finite, m, zeros);
    v = NDArrays.where(finite, v, zeros);
    NDArray absmax1 = m.abs().max(new int[] {1});
    NDArray absmax2 = v.abs().max(new int[] {1});

    NDArray update = m.div(v.sqrt().addi(scalars.of(k.scaledEps()))).muli(scalars.of(k.stepSize()));
    p.addi(firstElements(NDArrays.where(finite, update, zeros), numel, shape));
    if (k.decays()) {
      NDArray ones = zeros.onesLike();
      NDArray factor = NDArrays.where(finite, ones.mul(scalars.of(k.decay())), ones);
      p.muli(firstElements(factor, numel, shape));
    }

    NDArray codes1 = firstMomentCode.encode(m.div(absmax1.reshape(-1, 1)), scalars);
    codes1 = keepSign(codes1, m);
    NDArray codes2 = secondMomentCode.encode(v.div(absmax2.reshape(-1, 1)), scalars);
    state.replace(
        firstElements(codes1, numel, shape).toType(DataType.UINT8, false),
        absmax1,
        firstElements(codes2, numel, shape).toType(DataType.UINT8, false),
        absmax2);
  }

  /**
   * The kernel moves a first-moment code one step towards the value when the code's sign differs
   * from the value's, so small negatives stay negative (a NaN-scaled zero wraps 0 to 255).
   */
  private NDArray keepSign(NDArray codes, NDArray m) {
    NDArray codeNegative = firstMomentCode.decode(codes).lt(scalars.of(0f));
    NDArray valueNegative = m.lt(scalars.of(0f));
    NDArray differs = codeNegative.logicalXor(valueNegative);
    NDArray up = differs.logicalAnd(m.gt(scalars.of(0f))).toType(DataType.INT64, false);
    NDArray down = differs.logicalAnd(m.lte(scalars.of(0f))).toType(DataType.INT64, false);
    // int64 -> uint8 later wraps -1 to 255 as the kernel's unsigned char does
    return codes.add(up).subi(down);
  }

  private void update32bit(TrainableParameter param, FullMoments state, KernelScalars k) {
    NDArray p = param.array();
    state.placeOn(p.getDevice(), deviceStates);
    NDArray grad = param.gradient().toType(DataType.FLOAT32, false);
    state.state1.muli(scalars.of(k.beta1())).addi(grad.mul(scalars.of(k.oneMinusBeta1())));
    state
        .state2
        .muli(scalars.of(k.beta2()))
        .addi(grad.mul(scalars.of(k.oneMinusBeta2())).muli(grad));
    p.addi(
        state
            .state1
            .div(state.state2.sqrt().addi(scalars.of(k.scaledEps())))
            .muli(scalars.of(k.stepSize())));
    if (k.decays()) {
      p.muli(scalars.of(k.decay()));
    }
  }

  /** Codes of a moment, decoded and scaled by their block's absmax: [blocks, 256] fp32. */
  private static NDArray dequantize(
      StateCode code, NDArray codes, NDArray absmax, Device device, float paddingCode) {
    NDArray indices = codes.toDevice(device, false).toType(DataType.INT64, false);
    NDArray blocks = asBlocks(indices, indices.size(), paddingCode);
    return code.decode(blocks).muli(absmax.toDevice(device, false).reshape(-1, 1));
  }

  /** The flat values padded with {@code fill} to whole blocks, as [blocks, 256]. */
  private static NDArray asBlocks(NDArray values, long numel, float fill) {
    NDArray flat = values.reshape(numel);
    long pad = blockCount(numel) * BLOCKSIZE - numel;
    if (pad > 0) {
      NDArray padding =
          values.getManager().full(new Shape(pad), fill, values.getDataType(), values.getDevice());
      flat = flat.concat(padding);
    }
    return flat.reshape(blockCount(numel), BLOCKSIZE);
  }

  private static NDArray firstElements(NDArray blocks, long numel, Shape shape) {
    NDArray flat = blocks.reshape(-1);
    if (flat.size() != numel) {
      flat = flat.get(new NDIndex("0:{}", numel));
    }
    return flat.reshape(shape);
  }

  private static long blockCount(long numel) {
    return (numel + BLOCKSIZE - 1) / BLOCKSIZE;
  }

  private ParamState create(NDArray param) {
    long numel = param.getShape().size();
    if (numel < MIN_8BIT_SIZE) {
      NDArray state1 = owned(param.zerosLike().toType(DataType.FLOAT32, false), deviceStates);
      NDArray state2 = owned(param.zerosLike().toType(DataType.FLOAT32, false), deviceStates);
      return new FullMoments(state1, state2);
    }
    NDManager home = homeOf(numel);
    Shape blocks = new Shape(blockCount(numel));
    return new QuantizedMoments(
        paged && numel >= pagedMinSize,
        owned(home.zeros(param.getShape(), DataType.UINT8, deviceOf(home, param)), home),
        owned(home.zeros(blocks, DataType.FLOAT32, deviceOf(home, param)), home),
        owned(home.zeros(param.getShape(), DataType.UINT8, deviceOf(home, param)), home),
        owned(home.zeros(blocks, DataType.FLOAT32, deviceOf(home, param)), home));
  }

  private NDManager homeOf(long numel) {
    return paged && numel >= pagedMinSize ? hostStates : deviceStates;
  }

  private Device deviceOf(NDManager home, NDArray param) {
    return home == hostStates ? Device.cpu() : param.getDevice();
  }

  private static NDArray owned(NDArray array, NDManager owner) {
    NDScope.unregister(array);
    array.attach(owner);
    return array;
  }

  @Override
  public OptimizerState state(NDManager manager) {
    Map<String, StateMetadata.ParamEntry> entries = new LinkedHashMap<>();
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    states.forEach(
        (name, state) -> {
          switch (state) {
            case QuantizedMoments q -> {
              entries.put(name, new StateMetadata.ParamEntry(q.step, LAYOUT_8BIT));
              tensors.put(name + ".state1", copy(q.codes1, manager));
              tensors.put(name + ".absmax1", copy(q.absmax1, manager));
              tensors.put(name + ".state2", copy(q.codes2, manager));
              tensors.put(name + ".absmax2", copy(q.absmax2, manager));
            }
            case FullMoments f -> {
              entries.put(name, new StateMetadata.ParamEntry(f.step, LAYOUT_32BIT));
              tensors.put(name + ".state1", copy(f.state1, manager));
              tensors.put(name + ".state2", copy(f.state2, manager));
            }
          }
        });
    String json =
        new StateMetadata(name(), StateMetadata.FORMAT_VERSION, options, entries).toJson();
    return new OptimizerState(json, tensors);
  }

  @Override
  public void loadState(OptimizerState saved) {
    StateMetadata metadata =
        StateMetadata.fromJson(saved.metadataJson()).requireFrom(name(), options);
    Map<String, ParamState> loaded = new LinkedHashMap<>();
    metadata
        .params()
        .forEach(
            (name, entry) -> {
              ParamState state =
                  switch (entry.layout()) {
                    case LAYOUT_8BIT -> {
                      NDArray codes1 = StateTensors.require(saved, name + ".state1");
                      NDManager home = homeOf(codes1.size());
                      yield new QuantizedMoments(
                          home == hostStates,
                          copy(codes1, home),
                          copy(StateTensors.require(saved, name + ".absmax1"), home),
                          copy(StateTensors.require(saved, name + ".state2"), home),
                          copy(StateTensors.require(saved, name + ".absmax2"), home));
                    }
                    case LAYOUT_32BIT ->
                        new FullMoments(
                            copy(StateTensors.require(saved, name + ".state1"), deviceStates),
                            copy(StateTensors.require(saved, name + ".state2"), deviceStates));
                    default ->
                        throw new BadInputException(
                            "unknown 8-bit optimizer state layout '"
                                + entry.layout()
                                + "' for '"
                                + name
                                + "'",
                            "resume with the trainer version that wrote the checkpoint");
                  };
              state.step = entry.step();
              loaded.put(name, state);
            });
    clearStates();
    states.putAll(loaded);
  }

  /** A copy of {@code source} owned by {@code manager}, on the manager's device. */
  private static NDArray copy(NDArray source, NDManager manager) {
    NDArray copy =
        source.getDevice().equals(manager.getDevice())
            ? source.duplicate()
            : source.toDevice(manager.getDevice(), true);
    return owned(copy, manager);
  }

  private void clearStates() {
    states.values().forEach(ParamState::close);
    states.clear();
  }

  @Override
  public void close() {
    clearStates();
    deviceStates.close();
    hostStates.close();
    scalars.close();
  }

  /** One parameter's moments and step count. */
  private abstract static sealed class ParamState implements AutoCloseable
      permits QuantizedMoments, FullMoments {
    long step;

    abstract void check(TrainableParameter param);

    @Override
    public abstract void close();
  }

  /** Blockwise 8-bit moments: codes in the parameter's shape, one absmax per 256 codes. */
  private static final class QuantizedMoments extends ParamState {
    private final boolean inHostMemory;
    NDArray codes1;
    NDArray absmax1;
    NDArray codes2;
    NDArray absmax2;

    QuantizedMoments(
        boolean inHostMemory, NDArray codes1, NDArray absmax1, NDArray codes2, NDArray absmax2) {
      this.inHostMemory = inHostMemory;
      this.codes1 = codes1;
      this.absmax1 = absmax1;
      this.codes2 = codes2;
      this.absmax2 = absmax2;
    }

    @Override
    void check(TrainableParameter param) {
      Shape shape = param.array().getShape();
      StateTensors.requireShape(param.name(), codes1, shape);
      StateTensors.requireShape(param.name(), codes2, shape);
      Shape blocks = new Shape(blockCount(shape.size()));
      StateTensors.requireShape(param.name(), absmax1, blocks);
      StateTensors.requireShape(param.name(), absmax2, blocks);
    }

    /**
     * Takes over the storage of the new codes and absmax (computed on the parameter's device),
     * copying them to host memory first when paged.
     */
    void replace(NDArray newCodes1, NDArray newAbsmax1, NDArray newCodes2, NDArray newAbsmax2) {
      codes1.intern(home(newCodes1));
      absmax1.intern(home(newAbsmax1));
      codes2.intern(home(newCodes2));
      absmax2.intern(home(newAbsmax2));
    }

    /**
     * Non-paged states move to the parameter's device once (loaded state may arrive elsewhere);
     * paged states stay in host memory.
     */
    void placeOn(Device device, NDManager owner) {
      if (inHostMemory || codes1.getDevice().equals(device)) {
        return;
      }
      NDArray[] moved = {
        owned(codes1.toDevice(device, true), owner),
        owned(absmax1.toDevice(device, true), owner),
        owned(codes2.toDevice(device, true), owner),
        owned(absmax2.toDevice(device, true), owner)
      };
      close();
      codes1 = moved[0];
      absmax1 = moved[1];
      codes2 = moved[2];
      absmax2 = moved[3];
    }

    /** The computed array on this state's device; intern needs the same device, type, shape. */
    private NDArray home(NDArray computed) {
      return computed.toDevice(codes1.getDevice(), false);
    }

    @Override
    public void close() {
      codes1.close();
      absmax1.close();
      codes2.close();
      absmax2.close();
    }
  }

  /** fp32 moments of a parameter below {@link #MIN_8BIT_SIZE} elements. */
  private static final class FullMoments extends ParamState {
    NDArray state1;
    NDArray state2;

    FullMoments(NDArray state1, NDArray state2) {
      this.state1 = state1;
      this.state2 = state2;
    }

    @Override
    void check(TrainableParameter param) {
      StateTensors.requireShape(param.name(), state1, param.array().getShape());
      StateTensors.requireShape(param.name(), state2, param.array().getShape());
    }

    void placeOn(Device device, NDManager owner) {
      if (!state1.getDevice().equals(device)) {
        NDArray moved1 = owned(state1.toDevice(device, true), owner);
        NDArray moved2 = owned(state2.toDevice(device, true), owner);
        close();
        state1 = moved1;
        state2 = moved2;
      }
    }

    @Override
    public void close() {
      state1.close();
      state2.close();
    }
  }
}
