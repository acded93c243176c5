package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.JobRef;
import dev.tune.core.Tune;
import dev.tune.core.job.JobDescription;
import dev.tune.core.job.LogLine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tune jobs}: the provider's training jobs. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = "The provider's training jobs: list, describe, logs, cancel.",
    subcommands = {
      JobsCommand.ListJobs.class,
      JobsCommand.DescribeJob.class,
      JobsCommand.JobLogs.class,
      JobsCommand.CancelJob.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune jobs list                  newest first",
      "  tune jobs describe JOB          state, times, output",
      "  tune jobs logs -f JOB           follow the log until the job ends",
      "  tune jobs cancel JOB            ask the provider to stop it"
    })
final class JobsCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune jobs list", "  tune jobs list --provider sagemaker -o json"},
      description = "List jobs, newest first.")
  static final class ListJobs extends ProviderSubcommand {
    @Override
    void run(Tune tune, TuneCommand root) {
      JobView.TABLE.print(
          root.printer(),
          tune.jobs().list(),
          "No training jobs at " + tune.providerName() + ".",
          "jobs");
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune jobs describe JOB", "  tune jobs describe JOB -o json"},
      description = "Show one job.")
  static final class DescribeJob extends ProviderSubcommand {
    @Parameters(paramLabel = "JOB", description = "The job's id, as `tune jobs list` shows it.")
    String job;

    @Override
    void run(Tune tune, TuneCommand root) {
      JobDescription d = tune.jobs().describe(new JobRef(tune.providerName(), job));
      root.printer().result(JobView.details(d), () -> JobView.json(d));
    }
  }

  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune jobs logs JOB", "  tune jobs logs -f JOB        follow until the job ends"},
      description = {
        "Print a job's log. With -f, keep printing until the job ends; Ctrl-C stops",
        "following and leaves the job running."
      })
  static final class JobLogs implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "JOB", description = "The job's id.")
    String job;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing new lines until the job ends.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      TuneCommand root = TuneCommand.of(spec);
      Printer printer = root.printer();
      boolean json = printer.format() == OutputFormat.JSON;
      List<LogLine> lines = new ArrayList<>();
      try (Tune tune = ProviderSession.connectOptionalConfig(root)) {
        tune.jobs()
            .logs(
                new JobRef(tune.providerName(), job),
                follow,
                line -> {
                  if (json) {
                    lines.add(line);
                  } else {
                    root.out().println(line.text());
                    root.out().flush();
                  }
                });
      }
      if (json) {
        ObjectNode document = Printer.object();
        document.put("job", job);
        ArrayNode array = document.putArray("lines");
        lines.forEach(
            l -> array.addObject().put("time", l.time().toString()).put("text", l.text()));
        printer.printJson(document);
      }
      return 0;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      footerHeading = "%nExamples:%n",
      footer = {"  tune jobs cancel JOB", "  tune train --resume JOB       continue it later"},
      description = "Ask the provider to stop a job; its checkpoints stay for --resume.")
  static final class CancelJob extends ProviderSubcommand {
    @Parameters(paramLabel = "JOB", description = "The job's id.")
    String job;

    @Override
    void run(Tune tune, TuneCommand root) {
      JobRef ref = new JobRef(tune.providerName(), job);
      tune.jobs().cancel(ref);
      JobDescription d = tune.jobs().describe(ref);
      root.printer()
          .result("Asked job " + job + " to stop; it is " + d.state() + ".", () -> JobView.json(d));
    }
  }
}
