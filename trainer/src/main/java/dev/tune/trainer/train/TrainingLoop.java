package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.optim.AdamWOptions;
import dev.tune.trainer.optim.DynamicLossScaler;
import dev.tune.trainer.optim.GradientClipper;
import dev.tune.trainer.optim.LrSchedule;
import dev.tune.trainer.optim.LrScheduleType;
import dev.tune.trainer.optim.Optimizer;
import dev.tune.trainer.optim.OptimizerName;
import dev.tune.trainer.optim.TrainableParameter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** One call of {@link QloraTrainer#train}: its state from the first step to the result. */
final class TrainingLoop implements AutoCloseable {

  private final QloraModel model;
  private final TrainingArguments args;
  private final List<TrainingExample> train;
  private final List<TrainingExample> eval;
  private final CheckpointStore store;
  private final Path outputDir;
  private final TrainingListener listener;
  private final Consumer<String> logSink;
  private final BooleanSupplier stopRequested;

  private final DataSchedule schedule;
  private final int totalSteps;
  private final LrSchedule lrSchedule;
  private final TrainerState.DataPosition data;
  private final List<TrainableParameter> params;
  private final TrainingGraph graph;
  private final long padId;

  private final NDManager root;
  private final NDManager host;
  private final Optimizer optimizer;
  private final GradientClipper clipper;
  private final DynamicLossScaler scaler;

  private NDArray lossAccumulator;
  private NDArray lastGradNorm;
  private int globalStep;
  private int schedulerStep;
  private int pendingSteps;
  private double totalLossSum;
  private long tokensSeen;
  private long tokensSinceLog;
  private long logClock;
  private final List<TrainingLog> history = new ArrayList<>();
  private OptionalDouble lastEvalLoss = OptionalDouble.empty();
  private int lastEvalStep = -1;
  private Optional<Path> lastCheckpoint = Optional.empty();
  private int lastSavedStep = -1;

  private BatchUpload window;
  private int windowFirstStep;
  private int[] windowStepStarts;

  TrainingLoop(
      QloraModel model,
      TrainingArguments args,
      List<TrainingExample> train,
      List<TrainingExample> eval,
      CheckpointStore store,
      Path outputDir,
      TrainingListener listener,
      Consumer<String> logSink,
      BooleanSupplier stopRequested) {
    this.model = model;
    this.args = args;
    this.train = train;
    this.eval = eval;
    this.store = store;
    this.outputDir = outputDir;
    this.listener = listener;
    this.logSink = logSink;
    this.stopRequested = stopRequested;

    this.schedule =
        new DataSchedule(
            train.size(),
            args.perDeviceTrainBatchSize(),
            args.gradientAccumulationSteps(),
            args.seed());
    this.totalSteps = schedule.totalSteps(args.numTrainEpochs(), args.maxSteps());
    this.lrSchedule =
        LrSchedule.of(
            LrScheduleType.fromConfigName(args.lrSchedulerType().name()),
            args.learningRate(),
            args.warmupStepsFor(totalSteps),
            totalSteps);
    this.data =
        new TrainerState.DataPosition(
            train.size(),
            fingerprint(train),
            args.perDeviceTrainBatchSize(),
            args.gradientAccumulationSteps(),
            args.seed());
    this.params = model.trainableParameters();
    this.graph =
        new TrainingGraph(model.model(), args.gradientCheckpointing(), new StepSeeds(args.seed()));
    this.padId = PaddedBatch.padId(model.model().config());

    this.root = model.model().manager().newSubManager();
    try {
      this.host = root.newSubManager(Device.cpu());
      AdamWOptions adam =
          new AdamWOptions(
              args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), args.weightDecay());
      this.optimizer = OptimizerName.fromConfigName(args.optim().name()).create(adam, root);
      this.clipper = args.maxGradNorm() > 0 ? new GradientClipper(args.maxGradNorm(), root) : null;
      this.scaler =
          model.precision().lossScaling() ? DynamicLossScaler.withTorchDefaults(root) : null;
      this.lossAccumulator = root.zeros(new Shape(), DataType.FLOAT64);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** Continues from {@code checkpoint}: adapter, optimizer, schedule, scaler, data and logs. */
  void resume(Path checkpoint) {
    TrainerState state = TrainingCheckpoint.restore(checkpoint, model, optimizer, root);
    if (!state.data().equals(data)) {
      throw new IllegalArgumentException(
          checkpoint
              + " was saved by a run over other data or batching ("
              + state.data()
              + ", now "
              + data
              + "); resume with the same examples, batch size, gradient accumulation and seed,"
              + " or start afresh in an empty output_dir");
    }
    if (state.lossScaler().isPresent() != (scaler != null)) {
      throw new IllegalArgumentException(
          checkpoint
              + (scaler == null
                  ? " was saved by a float16 run with loss scaling, and this run computes in"
                      + " float32"
                  : " was saved by a float32 run, and this run computes in float16")
              + "; resume on the kind of device and with the precision it was saved with");
    }
    if (scaler != null) {
      scaler.loadState(state.lossScaler().orElseThrow());
    }
    globalStep = state.globalStep();
    schedulerStep = state.schedulerStep();
    pendingSteps = state.pendingSteps();
    totalLossSum = state.totalLossSum();
    tokensSeen = state.numInputTokensSeen();
    history.addAll(state.logHistory());
    lastCheckpoint = Optional.of(checkpoint);
    lastSavedStep = globalStep;
    lossAccumulator.close();
    lossAccumulator = root.create(state.pendingLossSum());
    logSink.accept("Resuming from " + checkpoint + " at step " + globalStep);
  }

  TrainResult run() {
    store.removeTemporaries();
    announce();
    model.lora().setTraining(true);
    long start = System.nanoTime();
    logClock = start;
    int firstStep = globalStep;
    long samples = 0;
    boolean stopped = false;
    while (globalStep < totalSteps) {
      samples += step();
      globalStep++;
      pendingSteps++;
      listener.onStepEnd(globalStep, totalSteps);
      if (globalStep % args.loggingSteps() == 0) {
        logTraining();
      }
      if (!eval.isEmpty() && globalStep % args.evalSteps() == 0) {
        evaluate();
      }
      if (globalStep % args.saveSteps() == 0) {
        save();
      }
      if (stopRequested.getAsBoolean() && globalStep < totalSteps) {
        if (lastSavedStep != globalStep) {
          save();
        }
        stopped = true;
        break;
      }
    }
    closeWindow();
    if (stopped) {
      logSink.accept("Stopped at step " + globalStep + " of " + totalSteps + " as asked");
      return result(true, lastCheckpoint.orElseThrow(), summary(start, firstStep, samples));
    }
    if (!eval.isEmpty() && lastEvalStep != globalStep) {
      evaluate();
    }
    Map<String, Double> summary = summary(start, firstStep, samples);
    PeftAdapterDir.save(outputDir, model.lora());
    currentState().write(outputDir);
    return result(false, outputDir, summary);
  }

  /** One optimizer step; returns the examples it trained on. */
  private long step() {
    if (window == null || globalStep - windowFirstStep >= windowStepStarts.length - 1) {
      openWindow();
    }
    int local = globalStep - windowFirstStep;
    int from = windowStepStarts[local];
    int to = windowStepStarts[local + 1];
    long trained = 0;
    long examples = 0;
    for (int k = from; k < to; k++) {
      trained += window.host(k).trainedTokens();
      tokensSinceLog += window.host(k).tokens();
      tokensSeen += window.host(k).tokens();
      examples += window.host(k).batch();
    }
    float denominator = Math.max(1, trained);
    float scale = scaler == null ? 1f : scaler.currentScale();
    try (NDManager stepManager = root.newSubManager();
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray multiplier = host.create(scale / denominator);
      NDArray stepLoss = null;
      for (int k = from; k < to; k++) {
        NDArray sum =
            graph.forwardBackward(window.device(k, stepManager), multiplier, globalStep, k - from);
        stepLoss = stepLoss == null ? sum : stepLoss.add(sum);
      }
      NDArray totalLoss = stepLoss;
      Autograd.unrecorded(() -> update(totalLoss, denominator));
    }
    return examples;
  }

  /**
   * Folds the step's loss into the logging accumulator, unscales and clips the gradients, steps the
   * optimizer (unless the loss scaler saw an overflow) and zeroes the gradients.
   */
  private void update(NDArray stepLoss, float denominator) {
    lossAccumulator.addi(
        stepLoss.toType(DataType.FLOAT64, false).div(host.create((double) denominator)));
    if (scaler != null) {
      scaler.unscale(params);
    }
    if (clipper != null) {
      NDArray norm = clipper.clip(params, root);
      if (lastGradNorm != null) {
        lastGradNorm.close();
      }
      lastGradNorm = norm;
    }
    double rate = lrSchedule.lr(schedulerStep);
    boolean stepped;
    if (scaler == null) {
      optimizer.step(params, rate);
      stepped = true;
    } else {
      stepped = scaler.step(params, () -> optimizer.step(params, rate));
      scaler.update();
    }
    if (stepped) {
      schedulerStep++;
    }
    Optimizer.zeroGrad(params);
  }

  /**
   * Uploads the batches of the steps up to the next logging point (within the upload budget), so
   * the steps in between copy nothing to the device.
   */
  private void openWindow() {
    closeWindow();
    int end = Math.min(totalSteps, (globalStep / args.loggingSteps() + 1) * args.loggingSteps());
    List<PaddedBatch> batches = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    long bytes = 0;
    for (int s = globalStep; s < end; s++) {
      List<PaddedBatch> stepBatches = new ArrayList<>();
      long stepBytes = 0;
      for (int[] indices : schedule.microBatches(s)) {
        List<TrainingExample> examples = new ArrayList<>(indices.length);
        for (int i : indices) {
          examples.add(train.get(i));
        }
        PaddedBatch batch = PaddedBatch.of(examples, padId);
        stepBatches.add(batch);
        stepBytes += BatchUpload.bytes(batch);
      }
      if (!starts.isEmpty() && bytes + stepBytes > BatchUpload.BUDGET_BYTES) {
        break;
      }
      starts.add(batches.size());
      batches.addAll(stepBatches);
      bytes += stepBytes;
    }
    starts.add(batches.size());
    window = new BatchUpload(batches, root);
    windowFirstStep = globalStep;
    windowStepStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  private void closeWindow() {
    if (window != null) {
      window.close();
      window = null;
    }
  }

  private void logTraining() {
    double lossSum = lossAccumulator.getDouble();
    long now = System.nanoTime();
    double seconds = (now - logClock) / 1e9;
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", TrainingLog.round(lossSum / pendingSteps, 4));
    if (lastGradNorm != null) {
      metrics.put("grad_norm", (double) lastGradNorm.getFloat());
    }
    metrics.put("learning_rate", lrSchedule.lr(Math.min(schedulerStep, totalSteps)));
    metrics.put("epoch", epoch());
    metrics.put("tokens_per_second", TrainingLog.round(tokensSinceLog / seconds, 3));
    totalLossSum += lossSum;
    pendingSteps = 0;
    tokensSinceLog = 0;
    lossAccumulator.close();
    lossAccumulator = root.zeros(new Shape(), DataType.FLOAT64);
    emit(new TrainingLog(TrainingLog.Kind.TRAIN, globalStep, metrics));
    logClock = System.nanoTime();
  }

  private void evaluate() {
    EvalResult result = Evaluation.run(model, eval, args.perDeviceEvalBatchSize());
    int batches = (eval.size() + args.perDeviceEvalBatchSize() - 1) / args.perDeviceEvalBatchSize();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("eval_loss", result.loss());
    metrics.put("eval_runtime", TrainingLog.round(result.runtimeSeconds(), 4));
    metrics.put(
        "eval_samples_per_second", TrainingLog.round(eval.size() / result.runtimeSeconds(), 3));
    metrics.put("eval_steps_per_second", TrainingLog.round(batches / result.runtimeSeconds(), 3));
    metrics.put("epoch", epoch());
    lastEvalLoss = OptionalDouble.of(result.loss());
    lastEvalStep = globalStep;
    emit(new TrainingLog(TrainingLog.Kind.EVAL, globalStep, metrics));
    // the evaluation's time is not training throughput
    logClock += (long) (result.runtimeSeconds() * 1e9);
  }

  private void save() {
    TrainerState state = currentState();
    Path dir =
        store.save(globalStep, d -> TrainingCheckpoint.write(d, model, optimizer, state, root));
    lastCheckpoint = Optional.of(dir);
    lastSavedStep = globalStep;
    listener.onCheckpoint(globalStep, dir);
  }

  private TrainerState currentState() {
    return new TrainerState(
        globalStep,
        schedulerStep,
        totalSteps,
        epoch(),
        data,
        scaler == null ? Optional.empty() : Optional.of(scaler.state()),
        lossAccumulator.getDouble(),
        pendingSteps,
        totalLossSum,
        tokensSeen,
        history,
        new TrainerState.Settings(
            args.numTrainEpochs(),
            args.loggingSteps(),
            args.evalSteps(),
            args.saveSteps(),
            optimizer.name()));
  }

  private Map<String, Double> summary(long start, int firstStep, long samples) {
    double runtime = (System.nanoTime() - start) / 1e9;
    double lossSum = totalLossSum + lossAccumulator.getDouble();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("train_runtime", TrainingLog.round(runtime, 4));
    metrics.put("train_samples_per_second", TrainingLog.round(samples / runtime, 3));
    metrics.put("train_steps_per_second", TrainingLog.round((globalStep - firstStep) / runtime, 3));
    metrics.put("train_loss", globalStep == 0 ? Double.NaN : lossSum / globalStep);
    metrics.put("epoch", epoch());
    emit(new TrainingLog(TrainingLog.Kind.SUMMARY, globalStep, metrics));
    return metrics;
  }

  private TrainResult result(boolean stopped, Path adapterDir, Map<String, Double> summary) {
    return new TrainResult(
        globalStep,
        totalSteps,
        stopped,
        adapterDir,
        lastCheckpoint,
        summary.get("train_loss"),
        lastEvalLoss,
        summary,
        history);
  }

  private double epoch() {
    return TrainingLog.round((double) globalStep / schedule.stepsPerEpoch(), 4);
  }

  private void emit(TrainingLog log) {
    history.add(log);
    logSink.accept(log.line());
    listener.onLog(log);
  }

  private void announce() {
    logSink.accept("***** Running training *****");
    logSink.accept("  Num examples = " + train.size());
    logSink.accept(
        "  Num Epochs = " + (int) Math.ceil((double) totalSteps / schedule.stepsPerEpoch()));
    logSink.accept("  Instantaneous batch size per device = " + args.perDeviceTrainBatchSize());
    logSink.accept("  Gradient Accumulation steps = " + args.gradientAccumulationSteps());
    logSink.accept("  Total optimization steps = " + totalSteps);
    logSink.accept("  Number of trainable parameters = " + model.lora().parameterCount());
  }

  /** SHA-256 over every example's length, ids and labels, in order. */
  static String fingerprint(List<TrainingExample> examples) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (TrainingExample e : examples) {
        ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES + 2 * Long.BYTES * e.length());
        buffer.putInt(e.length());
        for (int t = 0; t < e.length(); t++) {
          buffer.putLong(e.inputId(t)).putLong(e.label(t));
        }
        digest.update(buffer.flip());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  @Override
  public void close() {
    model.lora().setTraining(false);
    try {
      closeWindow();
      optimizer.close();
      if (clipper != null) {
        clipper.close();
      }
      if (scaler != null) {
        scaler.close();
      }
    } finally {
      root.close();
    }
  }
}
