package dev.tune.container.train;

import dev.tune.container.train.JobEvents.State;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.Secret;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.DataReport;
import dev.tune.trainer.data.ExampleIterator;
import dev.tune.trainer.data.ExampleStream;
import dev.tune.trainer.data.TokenizedExample;
import dev.tune.trainer.model.ModelPlacement;
import dev.tune.trainer.plan.FitCheck;
import dev.tune.trainer.plan.ModelConfigSource;
import dev.tune.trainer.report.Sample;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import dev.tune.trainer.train.TrainResult;
import dev.tune.trainer.train.TrainingExample;
import dev.tune.trainer.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of the {@code train} entrypoint under a {@link TrainLayout}: fetch the base model and the
 * data, answer the sample prompts with the base model, train (resuming from the newest checkpoint),
 * save the adapter, merge it into the model directory, answer the prompts again with the tuned
 * model, and write metrics.json. Every stage is an event; a failure is written where the platform
 * shows it and ends the run with the failure kind's exit code.
 */
final class TrainJob {
  /** The Hugging Face token; never in the spec, always from the environment. */
  static final String HF_TOKEN = "HF_TOKEN";

  /** The exit code of a run stopped by SIGTERM, as a shell reports one. */
  static final int STOPPED_EXIT_CODE = 143;

  /** How long a SIGTERM waits for the step in progress and its checkpoint. */
  private static final long STOP_GRACE_SECONDS = 120;

  private final TrainLayout layout;
  private final Storage storage;
  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;
  private final AtomicBoolean terminated = new AtomicBoolean();
  // Counted down when the run has written its last event: a SIGTERM hook waits for it.
  private final CountDownLatch finished = new CountDownLatch(1);

  TrainJob(
      TrainLayout layout,
      Storage storage,
      Map<String, String> env,
      PrintStream out,
      PrintStream err) {
    this.layout = layout;
    this.storage = storage;
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
  }

  /** Runs the job; 0 on success, else the failure's exit code. */
  int run() {
    JobOutputs outputs = layout.outputs();
    JobEvents events = null;
    try {
      layout.failureFile().ifPresent(TrainJob::deleteStale);
      events = JobEvents.open(outputs.eventsFile(), out);
      if (!execute(outputs, events)) {
        events.stopped();
        return STOPPED_EXIT_CODE;
      }
      events.done();
      return 0;
    } catch (RuntimeException | Error e) {
      FailureReason reason = FailureReason.of(e);
      e.printStackTrace(err);
      layout.failureFile().ifPresent(reason::writeTo);
      if (events != null) {
        events.failed(reason.text());
      }
      err.println("tune train failed: " + reason.text());
      err.flush();
      return reason.exitCode();
    } finally {
      if (events != null) {
        events.close();
      }
      finished.countDown();
    }
  }

  /** Runs the stages; false when a SIGTERM stopped the training (its checkpoint is saved). */
  private boolean execute(JobOutputs outputs, JobEvents events) {
    fetchRemoteDirs();
    TrainSpec spec = withToken(layout.readSpec(storage));
    log("job " + layout.job() + ", model " + spec.model().source());
    Optional<ModelPlacement> placement =
        new GpuFitCheck(FitCheck.defaults())
            .check(
                spec,
                () -> ModelConfigSource.read(spec.model().source(), spec.model().token(), storage),
                GpuFitCheck.visibleGpus(),
                this::log);

    events.state(State.DOWNLOADING);
    JobInputs inputs = new JobInputs(layout, storage, ProgressListener.none());
    Path baseDir = inputs.model(spec);
    List<Path> trainFiles = inputs.train(spec);
    List<Path> evalFiles = inputs.eval(spec);
    log(
        "base model in "
            + baseDir
            + "; training files "
            + trainFiles
            + "; eval files "
            + evalFiles);

    Examples train;
    Examples eval;
    List<SamplePrompt> prompts;
    try (ModelTokenizer tokenizer = ModelTokenizer.load(baseDir)) {
      DataPipeline data =
          DataPipeline.open(spec.data(), trainFiles, evalFiles, tokenizer, spec.training().seed());
      train = examples(data.train(), "training");
      eval = examples(data.eval(), "evaluation");
      prompts = SamplePrompt.choose(spec, tokenizer, data.eval());
    }
    if (train.list().isEmpty()) {
      throw new BadInputException(
          "No training example is left after reading " + trainFiles + ".",
          "Check data.max_seq_length, data.drop_long_rows and the rows' fields.");
    }
    try (RunReporting reporting = RunReporting.start(outputs, spec)) {
      return trainAndExport(
          spec, outputs, events, reporting, baseDir, train, eval, prompts, placement);
    }
  }

  private boolean trainAndExport(
      TrainSpec spec,
      JobOutputs outputs,
      JobEvents events,
      RunReporting reporting,
      Path baseDir,
      Examples train,
      Examples eval,
      List<SamplePrompt> prompts,
      Optional<ModelPlacement> placement) {
    List<String> before = SampleAnswers.of(baseDir, Optional.empty(), prompts);
    events.state(State.TRAINING);
    TrainingRun.Builder builder =
        TrainingRun.builder(spec, layout.job())
            .baseModelDir(baseDir)
            .outputDir(outputs.checkpointDir())
            .trainExamples(train.list())
            .evalExamples(eval.list())
            .listener(events)
            .trainingListener(reporting.listener())
            .logSink(this::log);
    placement.ifPresent(builder::placement);
    TrainingRun run = builder.build();
    TrainResult result = runStoppable(run);
    if (terminated.get()) {
      log("stopped at step " + result.globalStep() + "; a new run resumes from its checkpoint");
      uploadRemoteDirs(events);
      return false;
    }
    ModelExport.copyAdapter(result.adapterDir(), outputs.adapterDir());

    events.state(State.MERGING);
    boolean merged = spec.output().mergeAdapter();
    if (merged) {
      ModelExport.merge(
          baseDir,
          outputs.adapterDir(),
          outputs.modelDir(),
          layout.workDir(),
          spec.quantization().loadIn4bit());
    } else {
      ModelExport.copyAdapter(outputs.adapterDir(), outputs.modelDir());
    }
    List<String> after =
        merged
            ? SampleAnswers.of(outputs.modelDir(), Optional.empty(), prompts)
            : SampleAnswers.of(baseDir, Optional.of(outputs.adapterDir()), prompts);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      samples.add(new Sample(prompts.get(i).text(), before.get(i), after.get(i)));
    }
    MetricsJson.write(outputs.metricsFile(), MetricsJson.of(layout.job(), result, samples));
    reporting.finish(result, samples, train.report(), eval.report());
    uploadRemoteDirs(events);
    return true;
  }

  /** Runs {@code run}; a SIGTERM (a spot interruption) stops it after a checkpoint. */
  private TrainResult runStoppable(TrainingRun run) {
    Thread hook =
        Thread.ofPlatform()
            .name("tune-train-stop")
            .unstarted(
                () -> {
                  terminated.set(true);
                  run.stop();
                  try {
                    finished.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return run.run();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it waits until the run has written its last event.
      }
    }
  }

  /** The examples of one data set, read once (the trainer shuffles them per epoch). */
  private record Examples(List<TrainingExample> list, DataReport report) {}

  private Examples examples(ExampleStream stream, String what) {
    List<TrainingExample> examples = new ArrayList<>();
    if (!stream.isPresent()) {
      return new Examples(examples, stream.check());
    }
    try (ExampleIterator it = stream.iterator()) {
      while (it.hasNext()) {
        TokenizedExample e = it.next();
        examples.add(TrainingExample.of(e));
      }
      DataReport report = it.report();
      log(
          what
              + " data: "
              + report.rows()
              + " rows, "
              + report.examples()
              + " examples, "
              + report.tokens()
              + " tokens"
              + (report.skippedBadRows() > 0 ? ", " + report.skippedBadRows() + " bad rows" : "")
              + (report.truncated() > 0 ? ", " + report.truncated() + " truncated" : "")
              + (report.droppedTooLong() > 0 ? ", " + report.droppedTooLong() + " too long" : ""));
      return new Examples(examples, report);
    }
  }

  private TrainSpec withToken(TrainSpec spec) {
    Optional<Secret> token =
        Optional.ofNullable(env.get(HF_TOKEN)).filter(t -> !t.isBlank()).map(Secret::new);
    return spec.toBuilder().model(new BaseModel(spec.model().source(), token)).build();
  }

  private void fetchRemoteDirs() {
    for (RemoteDir dir : layout.remoteDirs()) {
      if (!dir.fetchFirst()) {
        continue;
      }
      try {
        if (!storage.list(dir.remote()).isEmpty()) {
          storage.fetch(
              dir.remote(),
              FetchOptions.builder().destination(dir.local()).build(),
              ProgressListener.none());
          log("fetched " + dir.remote() + " into " + dir.local());
        }
      } catch (NotFoundException nothingYet) {
        // A first attempt: nothing to resume from.
      }
    }
  }

  private void uploadRemoteDirs(JobEvents events) {
    List<RemoteDir> dirs = layout.remoteDirs();
    if (dirs.isEmpty()) {
      return;
    }
    events.state(State.UPLOADING);
    for (RemoteDir dir : dirs) {
      if (Files.isDirectory(dir.local())) {
        storage.upload(dir.local(), dir.remote(), ProgressListener.none());
        log("uploaded " + dir.local() + " to " + dir.remote());
      }
    }
  }

  private static void deleteStale(Path failureFile) {
    try {
      Files.deleteIfExists(failureFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the old failure file " + failureFile, e);
    }
  }

  private void log(String line) {
    out.println(line);
    out.flush();
  }
}
