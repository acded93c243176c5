package dev.tune.cli;

import dev.tune.core.JobRef;
import dev.tune.core.TrainingJob;
import dev.tune.core.Tune;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.job.JobDescription;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune train}: submits a training job and follows it until it ends. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Submit the training that tune.yaml describes and follow it: state changes and one",
      "line per logging step, until the job ends. Ctrl-C detaches and leaves the job",
      "running (unless --cancel-on-interrupt); reattach with `tune jobs logs -f JOB`."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune train                          train with ./tune.yaml and follow the job",
      "  tune train --provider sagemaker --detach   submit and return at once",
      "  tune train --resume JOB             continue a stopped job from its last checkpoint",
      "  tune train --provider local --contract sagemaker   try SageMaker's layout here",
      "  tune train -o json                  the finished job as JSON on stdout"
    })
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--detach", description = "Return once the job is submitted.")
  boolean detach;

  @Option(
      names = "--resume",
      paramLabel = "JOB",
      description = "Start job JOB again from its newest checkpoint instead of a new job.")
  String resume;

  @Mixin ContractOption contract;

  @Option(
      names = "--cancel-on-interrupt",
      description = "Ctrl-C cancels the job instead of detaching from it.")
  boolean cancelOnInterrupt;

  @Override
  public Integer call() throws InterruptedException {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    Optional<TuneConfig> config =
        resume != null
            ? ProviderSession.optionalConfig(root)
            : Optional.of(ProviderSession.requireConfig(root));
    try (Tune tune =
        ProviderSession.connect(contract.apply(ProviderSession.settings(root, config)))) {
      TrainingJob job =
          resume != null
              ? tune.jobs().resume(new JobRef(tune.providerName(), resume))
              : tune.train(config.orElseThrow().trainSpec());
      String id = job.ref().id();
      String provider = " --provider " + tune.providerName();
      job.preflight().forEach(verdict -> printer.note("preflight: " + verdict.summary()));
      printer.note(
          (resume != null ? "Resumed" : "Submitted")
              + " training job "
              + id
              + " on "
              + tune.providerName()
              + ".");
      if (detach) {
        JobDescription now = job.describe();
        printer.result(
            "Job "
                + id
                + " is "
                + now.state()
                + ".\nFollow it: tune jobs logs -f"
                + provider
                + " "
                + id,
            () -> JobView.json(now));
        return 0;
      }
      JobDescription done = follow(tune, job, printer, root.verbose());
      printer.result(
          "Job "
              + id
              + " succeeded."
              + done.output().map(o -> "\nModel: " + o).orElse("")
              + "\nNext: tune run"
              + provider
              + " --job "
              + id
              + "   (register, deploy and try it)",
          () -> JobView.json(done));
      return 0;
    }
  }

  private JobDescription follow(Tune tune, TrainingJob job, Printer printer, boolean verbose)
      throws InterruptedException {
    String id = job.ref().id();
    String provider = " --provider " + tune.providerName();
    Runnable onInterrupt =
        cancelOnInterrupt
            ? () -> {
              job.cancel();
              printer.note("Cancelled job " + id + ".");
            }
            : () ->
                printer.note(
                    "Detached from job "
                        + id
                        + "; it keeps running.\n"
                        + "  reattach: tune jobs logs -f"
                        + provider
                        + " "
                        + id
                        + "\n"
                        + "  cancel:   tune jobs cancel"
                        + provider
                        + " "
                        + id);
    try (InterruptGuard guard = new InterruptGuard(onInterrupt)) {
      try {
        ProgressPrinter progress = new ProgressPrinter(printer, verbose);
        return job.follow(progress, progress::logLine);
      } catch (InterruptedException e) {
        guard.interrupted();
        throw e;
      }
    }
  }
}
