package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.JobRef;
import dev.tune.core.Tune;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.run.RunFailure;
import dev.tune.core.run.RunPipeline;
import dev.tune.core.run.RunResult;
import dev.tune.core.run.SmokeTest;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune run}: train, merge, register, deploy and try the model, in one command. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Train what tune.yaml describes, merge the adapter, register the model, deploy an",
      "endpoint and send it one prompt; the answer is printed beside the base model's answer",
      "to the same prompt. The endpoint stays up; the commands to query and delete it are",
      "printed. If a step fails, what the earlier steps made is kept and the commands that",
      "continue from there are printed (--job, --model start later in the chain)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune run --provider local --config examples/quickstart/tune.yaml",
      "  tune run --job JOB                  register and deploy what job JOB trained",
      "  tune run --model bot:2              deploy and try a registered model",
      "  tune run --prompt 'Who are you?' -o json"
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--job",
      paramLabel = "JOB",
      description = "Follow (or take) training job JOB instead of submitting a new one.")
  String job;

  @Option(
      names = "--model",
      paramLabel = "NAME[:VERSION]",
      description = "Skip training: deploy this registered model.")
  String model;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      description = "The smoke prompt. Default: the first sample prompt of the training run.")
  String prompt;

  @Override
  public Integer call() throws InterruptedException {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    TuneConfig config = ProviderSession.requireConfig(root);
    try (Tune tune = ProviderSession.connect(config.provider())) {
      RunPipeline.Builder pipeline = RunPipeline.builder(tune, config);
      if (job != null) {
        pipeline.fromJob(new JobRef(tune.providerName(), job));
      }
      if (model != null) {
        pipeline.fromModel(tune.models().find(model).ref());
      }
      if (prompt != null) {
        pipeline.prompt(prompt);
      }
      ProgressPrinter progress = new ProgressPrinter(printer, root.verbose());
      RunResult result;
      try (InterruptGuard guard = new InterruptGuard(() -> detachHint(printer, tune, progress))) {
        try {
          result = pipeline.build().run(progress);
        } catch (InterruptedException e) {
          guard.interrupted();
          throw e;
        }
      }
      return report(printer, tune.providerName(), result);
    }
  }

  private static void detachHint(Printer printer, Tune tune, ProgressPrinter progress) {
    String provider = " --provider " + tune.providerName();
    StringBuilder b =
        new StringBuilder("Stopped; what was started keeps going at " + tune.providerName() + ".");
    if (progress.lastEndpoint().isPresent()) {
      String id = progress.lastEndpoint().get().id();
      b.append("\n  endpoint: tune endpoints describe").append(provider).append(' ').append(id);
    } else if (progress.lastResult().flatMap(RunResult::model).isPresent()) {
      b.append("\n  continue: tune run")
          .append(provider)
          .append(" --model ")
          .append(progress.lastResult().flatMap(RunResult::model).get().displayName());
    } else if (progress.lastJob().isPresent()) {
      String id = progress.lastJob().get().id();
      b.append("\n  continue: tune run").append(provider).append(" --job ").append(id);
      b.append("\n  follow:   tune jobs logs -f").append(provider).append(' ').append(id);
    }
    printer.note(b.toString());
  }

  private static int report(Printer printer, String provider, RunResult result) {
    if (printer.format() == OutputFormat.JSON) {
      printer.printJson(json(result));
    } else {
      printer.result(text(provider, result), Printer::object);
      result
          .failure()
          .ifPresent(
              f -> {
                StringBuilder b = new StringBuilder();
                b.append("error: ")
                    .append(f.step().name().toLowerCase(Locale.ROOT))
                    .append(" failed: ")
                    .append(f.cause().getMessage())
                    .append("\nfix: ")
                    .append(f.cause().fix());
                if (!f.continueWith().isEmpty()) {
                  b.append("\ncontinue with:");
                  f.continueWith().forEach(c -> b.append("\n  ").append(c));
                }
                printer.note(b.toString());
              });
    }
    return result.failure().map(f -> f.cause().exitCode()).orElse(0);
  }

  private static String text(String provider, RunResult r) {
    StringBuilder b = new StringBuilder();
    b.append(r.succeeded() ? "Run finished" : "Run stopped")
        .append(" on ")
        .append(provider)
        .append('.');
    r.job().ifPresent(j -> b.append("\n  job:      ").append(j.id()));
    r.trainedModel().ifPresent(a -> b.append("\n  output:   ").append(a));
    r.model()
        .ifPresent(
            m ->
                b.append("\n  model:    ")
                    .append(m.displayName())
                    .append(" (id ")
                    .append(m.ref().id())
                    .append(')'));
    r.endpoint()
        .ifPresent(
            e -> {
              b.append("\n  endpoint: ").append(e.ref().id()).append(' ').append(e.state());
              e.url().ifPresent(u -> b.append(' ').append(u));
            });
    r.smoke()
        .ifPresent(
            s -> {
              b.append("\n\nprompt: ").append(s.prompt());
              b.append("\nbase:   ")
                  .append(s.baseAnswer().orElse("(not recorded by the training run)"));
              b.append("\ntuned:  ").append(s.tunedAnswer());
            });
    if (r.succeeded() && !r.endpointCommands().isEmpty()) {
      b.append("\n\nThe endpoint keeps running.");
      b.append("\n  query:  ").append(r.endpointCommands().get(0));
      b.append("\n  delete: ").append(r.endpointCommands().get(1));
    }
    return b.toString();
  }

  private static ObjectNode json(RunResult r) {
    ObjectNode json = Printer.object();
    json.put("succeeded", r.succeeded());
    r.job().ifPresent(j -> json.put("job", j.id()));
    r.trainedModel().ifPresent(a -> json.put("output", a.toString()));
    r.model().ifPresent(m -> json.set("model", ModelView.json(m)));
    r.endpoint().ifPresent(e -> json.set("endpoint", EndpointView.json(e)));
    r.smoke().ifPresent(s -> json.set("smoke", smoke(s)));
    if (!r.endpointCommands().isEmpty()) {
      ObjectNode commands = json.putObject("commands");
      commands.put("query", r.endpointCommands().get(0));
      commands.put("delete", r.endpointCommands().get(1));
    }
    r.failure().ifPresent(f -> json.set("error", failure(f)));
    return json;
  }

  private static ObjectNode smoke(SmokeTest s) {
    ObjectNode n = Printer.object();
    n.put("prompt", s.prompt());
    s.baseAnswer().ifPresent(a -> n.put("base", a));
    n.put("tuned", s.tunedAnswer());
    return n;
  }

  private static ObjectNode failure(RunFailure f) {
    ObjectNode n = ErrorReporter.json(f.cause());
    n.put("step", f.step().name().toLowerCase(Locale.ROOT));
    ArrayNode next = n.putArray("continue_with");
    f.continueWith().forEach(next::add);
    return n;
  }
}
