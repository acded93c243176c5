package dev.tune.cli;

import dev.tune.core.EndpointRef;
import dev.tune.core.JobRef;
import dev.tune.core.ResourceRef;
import dev.tune.core.job.LogLine;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.ProgressEvent;
import dev.tune.core.progress.StateChanged;
import dev.tune.core.progress.TransferProgress;
import dev.tune.core.run.RunListener;
import dev.tune.core.run.RunResult;
import dev.tune.core.run.RunStep;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Shows progress on stderr: steps of a run, state changes, one line per logging step, and with
 * {@code --verbose} the job's other log lines. Remembers the job and endpoint last seen, for the
 * hint after an interrupt.
 */
final class ProgressPrinter implements RunListener {
  private final Printer printer;
  private final boolean verbose;
  private final AtomicReference<JobRef> lastJob = new AtomicReference<>();
  private final AtomicReference<EndpointRef> lastEndpoint = new AtomicReference<>();
  private final AtomicReference<RunResult> lastResult = new AtomicReference<>();
  private final Map<String, String> lastStage = new ConcurrentHashMap<>();

  ProgressPrinter(Printer printer, boolean verbose) {
    this.printer = printer;
    this.verbose = verbose;
  }

  @Override
  public void stepStarted(RunStep step) {
    printer.note("==> " + step.name().toLowerCase(Locale.ROOT));
  }

  @Override
  public void stepFinished(RunStep step, RunResult soFar) {
    lastResult.set(soFar);
  }

  @Override
  public void logLine(LogLine line) {
    if (verbose) {
      printer.note("  | " + line.text());
    }
  }

  @Override
  public void onEvent(ProgressEvent event) {
    switch (event) {
      case StateChanged s -> {
        remember(s.resource());
        stateLine(s).ifPresent(printer::note);
      }
      case MetricsReported m -> printer.note(metricsLine(m.step(), m.metrics()));
      case TransferProgress t -> {
        if (verbose) {
          printer.note(t.file() + ": " + t.phase().name().toLowerCase(Locale.ROOT));
        }
      }
    }
  }

  /**
   * The line for a state change, or none where only the detail after the stage changed (a provider
   * that repeats the latest metrics in its status message would otherwise print each step twice).
   * The stage is the message up to its first comma; a failure shows the whole message.
   */
  private Optional<String> stateLine(StateChanged s) {
    boolean failed = s.state().equals("FAILED");
    Optional<String> stage = s.message().map(m -> m.split(",", 2)[0].strip());
    String seen = s.state() + "|" + stage.orElse("");
    if (seen.equals(lastStage.put(s.resource().id(), seen)) && !failed) {
      return Optional.empty();
    }
    Optional<String> shown = failed ? s.message() : stage;
    return Optional.of(
        kind(s.resource())
            + " "
            + s.resource().id()
            + ": "
            + s.state()
            + shown.filter(m -> !m.isEmpty()).map(m -> " (" + m + ")").orElse(""));
  }

  /** One line per logging step: {@code step 10, loss 2.5000, learning_rate 2.000e-04}, spaced. */
  static String metricsLine(long step, Map<String, Double> metrics) {
    StringBuilder b = new StringBuilder("step ").append(step);
    metrics.forEach((name, value) -> b.append("  ").append(name).append(' ').append(number(value)));
    return b.toString();
  }

  private static String number(double v) {
    double a = Math.abs(v);
    if (v == Math.rint(v) && a < 1e9) {
      return String.valueOf((long) v);
    }
    return a != 0 && (a < 1e-3 || a >= 1e6)
        ? String.format(Locale.ROOT, "%.3e", v)
        : String.format(Locale.ROOT, "%.4f", v);
  }

  private void remember(ResourceRef ref) {
    if (ref instanceof JobRef job) {
      lastJob.set(job);
    } else if (ref instanceof EndpointRef endpoint) {
      lastEndpoint.set(endpoint);
    }
  }

  private static String kind(ResourceRef ref) {
    return ref instanceof JobRef ? "job" : ref instanceof EndpointRef ? "endpoint" : "resource";
  }

  Optional<JobRef> lastJob() {
    return Optional.ofNullable(lastJob.get());
  }

  Optional<EndpointRef> lastEndpoint() {
    return Optional.ofNullable(lastEndpoint.get());
  }

  Optional<RunResult> lastResult() {
    return Optional.ofNullable(lastResult.get());
  }
}
