package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.tune.core.train.EvalStrategy;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final NDManager root;
  private final NDManager host;
  private final StepBatches batches;
  private final RunMetrics metrics;
  private final Optimizer optimizer;
  private final GradientClipper clipper;
  private final DynamicLossScaler scaler;
  private EvalTracker evals;

  private int globalStep;
  private int schedulerStep;
  private Optional<Path> lastCheckpoint = Optional.empty();
  private int lastSavedStep = -1;

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
    this.evals = new EvalTracker(args.earlyStopping());
    if (args.earlyStopping().isPresent()
        && (eval.isEmpty() || args.evalStrategy() == EvalStrategy.NO)) {
      throw new IllegalArgumentException(
          "early_stopping needs evaluations, but "
              + (eval.isEmpty() ? "there are no evaluation examples" : "eval_strategy is no")
              + "; give evaluation data (data.eval or data.eval_split) and eval_strategy steps or"
              + " epoch, or remove training.early_stopping");
    }

    this.root = model.model().manager().newSubManager();
    try {
      this.host = root.newSubManager(Device.cpu());
      this.batches =
          new StepBatches(
              train,
              schedule,
              PaddedBatch.padId(model.model().config()),
              args.loggingSteps(),
              totalSteps,
              root);
      this.metrics = new RunMetrics(root, host);
      AdamWOptions adam =
          new AdamWOptions(
              args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), args.weightDecay());
      this.optimizer = OptimizerName.fromConfigName(args.optim().name()).create(adam, root);
      this.clipper = args.maxGradNorm() > 0 ? new GradientClipper(args.maxGradNorm(), root) : null;
      this.scaler =
          model.precision().lossScaling() ? DynamicLossScaler.withTorchDefaults(root) : null;
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
    metrics.restore(state);
    evals =
        new EvalTracker(
            args.earlyStopping(), state.bestEvaluation(), state.evaluationsWithoutImprovement());
    if (evals.keepsBest()) {
      evals.best().ifPresent(b -> store.keep(b.step()));
    }
    lastCheckpoint = Optional.of(checkpoint);
    lastSavedStep = globalStep;
    logSink.accept("Resuming from " + checkpoint + " at step " + globalStep);
  }

  TrainResult run() {
    store.removeTemporaries();
    announce();
    model.lora().setTraining(true);
    long start = System.nanoTime();
    metrics.startClock();
    int firstStep = globalStep;
    long samples = 0;
    boolean stopped = false;
    boolean earlyStopped = false;
    while (globalStep < totalSteps) {
      samples += step();
      globalStep++;
      listener.onStepEnd(globalStep, totalSteps);
      if (globalStep % args.loggingSteps() == 0) {
        emit(metrics.train(globalStep, epoch(), lrSchedule.lr(schedulerStep)));
      }
      EvalTracker.Verdict verdict =
          evaluationDue() ? evaluate() : new EvalTracker.Verdict(false, false);
      if (globalStep % args.saveSteps() == 0 || keepAsBest(verdict)) {
        save();
      }
      if (verdict.stop() && globalStep < totalSteps) {
        earlyStopped = true;
        logSink.accept(
            "Early stopping at step "
                + globalStep
                + ": eval_loss has not improved by more than "
                + args.earlyStopping().orElseThrow().minDelta()
                + " for "
                + evals.withoutImprovement()
                + " evaluations");
        break;
      }
      if (stopRequested.getAsBoolean() && globalStep < totalSteps) {
        if (lastSavedStep != globalStep) {
          save();
        }
        stopped = true;
        break;
      }
    }
    batches.close();
    boolean finalEvaluation =
        !stopped
            && !eval.isEmpty()
            && args.evalStrategy() != EvalStrategy.NO
            && metrics.lastEvalStep() != globalStep;
    if (finalEvaluation) {
      EvalTracker.Verdict verdict = evaluate();
      if (keepAsBest(verdict)) {
        save();
      }
    }
    double runtime = (System.nanoTime() - start) / 1e9;
    TrainingLog summary =
        metrics.summary(runtime, samples, globalStep - firstStep, globalStep, epoch());
    emit(summary);
    if (stopped) {
      logSink.accept("Stopped at step " + globalStep + " of " + totalSteps + " as asked");
      return result(true, false, lastCheckpoint.orElseThrow(), summary.metrics());
    }
    if (evals.keepsBest()) {
      loadBest();
    }
    PeftAdapterDir.save(outputDir, model.lora());
    currentState().write(outputDir);
    return result(false, earlyStopped, outputDir, summary.metrics());
  }

  private boolean evaluationDue() {
    if (eval.isEmpty()) {
      return false;
    }
    return switch (args.evalStrategy()) {
      case NO -> false;
      case STEPS -> globalStep % args.evalSteps() == 0;
      case EPOCH -> globalStep % schedule.stepsPerEpoch() == 0;
    };
  }

  /** Whether the evaluation just made gave the best adapter, which early stopping keeps. */
  private boolean keepAsBest(EvalTracker.Verdict verdict) {
    return verdict.newBest() && evals.keepsBest() && lastSavedStep != globalStep;
  }

  /** Puts the adapter of the best evaluation's checkpoint back into the model. */
  private void loadBest() {
    BestEvaluation best = evals.best().orElseThrow();
    if (best.step() == globalStep) {
      return;
    }
    Path dir = outputDir.resolve(CheckpointStore.PREFIX + best.step());
    logSink.accept(
        "Loading the best adapter, from "
            + dir
            + " (eval_loss "
            + TrainingLog.repr(best.loss())
            + " at step "
            + best.step()
            + ")");
    model.loadAdapterWeights(dir);
  }

  /** One optimizer step; returns the examples it trained on. */
  private long step() {
    StepBatches.Step step = batches.step(globalStep);
    long trained = 0;
    long tokens = 0;
    long examples = 0;
    for (int micro = 0; micro < step.count(); micro++) {
      trained += step.host(micro).trainedTokens();
      tokens += step.host(micro).tokens();
      examples += step.host(micro).batch();
    }
    float denominator = Math.max(1, trained);
    float scale = scaler == null ? 1f : scaler.currentScale();
    try (NDManager stepManager = root.newSubManager();
        NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray multiplier = host.create(scale / denominator);
      NDArray stepLoss = null;
      for (int micro = 0; micro < step.count(); micro++) {
        NDArray sum =
            graph.forwardBackward(step.device(micro, stepManager), multiplier, globalStep, micro);
        stepLoss = stepLoss == null ? sum : stepLoss.add(sum);
      }
      NDArray loss = stepLoss;
      long stepTokens = tokens;
      Autograd.unrecorded(
          () -> {
            metrics.addStep(loss, denominator, stepTokens);
            update();
          });
    }
    return examples;
  }

  /**
   * Unscales and clips the gradients, steps the optimizer (unless the loss scaler saw an overflow,
   * when HF Trainer does not advance the schedule either) and zeroes the gradients.
   */
  private void update() {
    if (scaler != null) {
      scaler.unscale(params);
    }
    if (clipper != null) {
      metrics.gradNorm(clipper.clip(params, root));
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

  private EvalTracker.Verdict evaluate() {
    EvalResult result = Evaluation.run(model, eval, args.perDeviceEvalBatchSize());
    int evalBatches =
        (eval.size() + args.perDeviceEvalBatchSize() - 1) / args.perDeviceEvalBatchSize();
    EvalTracker.Verdict verdict = evals.observe(globalStep, result.loss());
    if (verdict.newBest() && evals.keepsBest()) {
      store.keep(globalStep);
    }
    emit(metrics.eval(result, evalBatches, globalStep, epoch()));
    return verdict;
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
        metrics.pendingLossSum(),
        metrics.pendingSteps(),
        metrics.totalLossSum(),
        metrics.tokensSeen(),
        metrics.history(),
        new TrainerState.Settings(
            args.numTrainEpochs(),
            args.loggingSteps(),
            args.evalSteps(),
            args.saveSteps(),
            optimizer.name()),
        evals.best(),
        evals.withoutImprovement());
  }

  private TrainResult result(
      boolean stopped, boolean earlyStopped, Path adapterDir, Map<String, Double> summary) {
    return new TrainResult(
        globalStep,
        totalSteps,
        stopped,
        adapterDir,
        lastCheckpoint,
        summary.get("train_loss"),
        metrics.lastEvalLoss(),
        summary,
        metrics.history(),
        evals.best(),
        earlyStopped);
  }

  private double epoch() {
    return TrainingLog.round((double) globalStep / schedule.stepsPerEpoch(), 4);
  }

  private void emit(TrainingLog log) {
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

  /**
   * SHA-256 over every example's length, ids and labels, and the position and sequence ids of
   * packed ones, in order.
   */
  static String fingerprint(List<TrainingExample> examples) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (TrainingExample e : examples) {
        int perToken = e.isPacked() ? 4 : 2;
        ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES + perToken * Long.BYTES * e.length());
        buffer.putInt(e.length());
        for (int t = 0; t < e.length(); t++) {
          buffer.putLong(e.inputId(t)).putLong(e.label(t));
          if (e.isPacked()) {
            buffer.putLong(e.positionId(t)).putLong(e.sequenceId(t));
          }
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
      batches.close();
      metrics.close();
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
