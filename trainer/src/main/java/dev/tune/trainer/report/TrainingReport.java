package dev.tune.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.trainer.data.DataReport;
import dev.tune.trainer.train.TrainResult;
import dev.tune.trainer.train.TrainingLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;

/**
 * {@code report.html}: one self-contained page (no scripts, fonts or images from elsewhere) that
 * says what a run did: its final metrics, the loss, evaluation-loss, learning-rate and throughput
 * curves drawn as inline SVG from the log history, peak memory, what the data pipeline kept and
 * dropped, generations before and after training, and the effective configuration.
 *
 * <pre>{@code
 * TrainingReport.builder()
 *     .title(spec.output().name())
 *     .config(TrainSpecJson.write(spec))
 *     .trainData(train.report())
 *     .result(result)
 *     .memory(PeakMemory.ofThisProcess())
 *     .samples(samples)
 *     .build()
 *     .write(jobDir.resolve("output/report.html"));
 * }</pre>
 *
 * <p>The page is also well-formed XML, so a plain XML parser reads it back.
 */
public final class TrainingReport {

  /** The config keys never shown, whatever the tree handed in holds. */
  private static final String SECRET_KEY = "token";

  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;\
      max-width:72em;padding:0 1em;color:#222}
      h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
      table{border-collapse:collapse;margin:0.5em 0}
      th,td{border:1px solid #ddd;padding:0.3em 0.6em;text-align:left;vertical-align:top}
      th{background:#f5f5f5}td.number{text-align:right;font-variant-numeric:tabular-nums}
      td.text{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:0.9em}
      .charts{display:flex;flex-wrap:wrap;gap:1em}.chart{border:1px solid #eee}
      .empty,.generated{color:#777}
      """;

  private final String title;
  private final Optional<JsonNode> config;
  private final Optional<DataReport> trainData;
  private final Optional<DataReport> evalData;
  private final List<TrainingLog> history;
  private final Optional<TrainResult> result;
  private final PeakMemory memory;
  private final List<Sample> samples;
  private final Instant generatedAt;

  private TrainingReport(Builder b) {
    this.title = b.title;
    this.config = b.config;
    this.trainData = b.trainData;
    this.evalData = b.evalData;
    this.result = b.result;
    this.history = b.result.map(TrainResult::logHistory).orElse(b.history);
    this.memory = b.memory;
    this.samples = List.copyOf(b.samples);
    this.generatedAt = b.generatedAt == null ? Instant.now() : b.generatedAt;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Writes the page to {@code file} (its directory is created if missing). */
  public void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, html(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the training report " + file, e);
    }
  }

  /** The page. */
  public String html() {
    Markup m = new Markup();
    m.trusted("<!DOCTYPE html>\n");
    m.open("html", "xmlns", "http://www.w3.org/1999/xhtml", "lang", "en");
    m.open("head");
    m.empty("meta", "charset", "utf-8");
    m.element("title", "tune training report: " + title);
    m.open("style").trusted(STYLE).close();
    m.close();
    m.open("body");
    m.element("h1", "Training report: " + title);
    m.element(
        "p",
        "Generated " + generatedAt.truncatedTo(ChronoUnit.SECONDS) + " by tune.",
        "class",
        "generated");
    finalMetrics(m);
    curves(m);
    throughput(m);
    memory(m);
    data(m);
    samples(m);
    config(m);
    m.close();
    m.close();
    return m.toString();
  }

  private void finalMetrics(Markup m) {
    section(m, "final", "Final metrics");
    Map<String, String> rows = new LinkedHashMap<>();
    Optional<TrainingLog> summary = last(TrainingLog.Kind.SUMMARY);
    result.ifPresent(
        r -> {
          rows.put("train_loss", number(r.trainLoss()));
          r.evalLoss().ifPresent(v -> rows.put("eval_loss", number(v)));
          r.bestEvaluation()
              .ifPresent(
                  b -> {
                    rows.put("best_eval_loss", number(b.loss()));
                    rows.put("best_step", String.valueOf(b.step()));
                  });
          rows.put("global_step", r.globalStep() + " of " + r.maxSteps());
          rows.put("stopped_by_early_stopping", String.valueOf(r.stoppedByEarlyStopping()));
          rows.put("stopped_on_request", String.valueOf(r.stoppedEarly()));
        });
    if (result.isEmpty()) {
      summary.ifPresent(s -> rows.put("train_loss", number(s.get("train_loss"))));
      last(TrainingLog.Kind.EVAL).ifPresent(e -> rows.put("eval_loss", number(e.get("eval_loss"))));
    }
    summary.ifPresent(s -> rows.put("epoch", number(s.get("epoch"))));
    if (rows.isEmpty()) {
      m.element("p", "The run logged no metrics.", "class", "empty");
    } else {
      keyValueTable(m, "final-metrics", rows);
    }
    m.close();
  }

  private void curves(Markup m) {
    section(m, "curves", "Loss and learning rate");
    m.open("div", "class", "charts");
    new LineChart(
            "Loss",
            List.of(
                series("loss", "#1f77b4", TrainingLog.Kind.TRAIN, "loss"),
                series("eval_loss", "#d62728", TrainingLog.Kind.EVAL, "eval_loss")))
        .render(m);
    new LineChart(
            "Learning rate",
            List.of(series("learning_rate", "#2ca02c", TrainingLog.Kind.TRAIN, "learning_rate")))
        .render(m);
    m.close();
    m.close();
  }

  private void throughput(Markup m) {
    section(m, "throughput", "Throughput");
    Map<String, String> rows = new LinkedHashMap<>();
    OptionalDouble meanTokens =
        history.stream()
            .filter(l -> l.kind() == TrainingLog.Kind.TRAIN)
            .mapToDouble(l -> l.get("tokens_per_second"))
            .filter(Double::isFinite)
            .average();
    meanTokens.ifPresent(v -> rows.put("mean tokens_per_second", number(v)));
    last(TrainingLog.Kind.SUMMARY)
        .ifPresent(
            s -> {
              for (String key :
                  List.of("train_runtime", "train_samples_per_second", "train_steps_per_second")) {
                if (s.metrics().containsKey(key)) {
                  rows.put(key, number(s.get(key)));
                }
              }
            });
    if (!rows.isEmpty()) {
      keyValueTable(m, "throughput-table", rows);
    }
    new LineChart(
            "Tokens per second",
            List.of(
                series(
                    "tokens_per_second", "#9467bd", TrainingLog.Kind.TRAIN, "tokens_per_second")))
        .render(m);
    m.close();
  }

  private void memory(Markup m) {
    section(m, "memory", "Memory");
    Map<String, String> rows = new LinkedHashMap<>();
    memory.hostBytes().ifPresent(b -> rows.put("peak host memory (resident)", bytes(b)));
    memory.deviceBytes().ifPresent(b -> rows.put("peak device memory", bytes(b)));
    if (rows.isEmpty()) {
      m.element("p", "Not measured.", "class", "empty");
    } else {
      keyValueTable(m, "memory-table", rows);
    }
    m.close();
  }

  private void data(Markup m) {
    section(m, "data", "Data");
    if (trainData.isEmpty() && evalData.isEmpty()) {
      m.element("p", "No data statistics were given.", "class", "empty");
      m.close();
      return;
    }
    m.open("table", "id", "data-table");
    m.open("tr").element("th", "");
    trainData.ifPresent(d -> m.element("th", "train"));
    evalData.ifPresent(d -> m.element("th", "eval"));
    m.close();
    dataRow(m, "rows read", DataReport::rows);
    dataRow(m, "examples kept", DataReport::examples);
    dataRow(m, "bad rows skipped", DataReport::skippedBadRows);
    dataRow(m, "truncated", DataReport::truncated);
    dataRow(m, "dropped as too long", DataReport::droppedTooLong);
    dataRow(m, "dropped with nothing to train", DataReport::droppedNothingToTrain);
    dataRow(m, "tokens", DataReport::tokens);
    dataRow(m, "trained tokens", DataReport::trainedTokens);
    dataRow(m, "packed rows", DataReport::packedRows);
    dataRow(m, "longest sample (tokens)", d -> d.longest());
    m.close();
    List<String> skipped = new ArrayList<>();
    trainData.ifPresent(d -> skipped.addAll(d.skippedExamples()));
    evalData.ifPresent(d -> skipped.addAll(d.skippedExamples()));
    if (!skipped.isEmpty()) {
      m.element("p", "First skipped rows:");
      m.open("ul");
      skipped.forEach(s -> m.element("li", s));
      m.close();
    }
    m.close();
  }

  private void dataRow(Markup m, String label, ToLongFunction<DataReport> f) {
    m.open("tr").element("th", label);
    trainData.ifPresent(d -> m.element("td", String.valueOf(f.applyAsLong(d)), "class", "number"));
    evalData.ifPresent(d -> m.element("td", String.valueOf(f.applyAsLong(d)), "class", "number"));
    m.close();
  }

  private void samples(Markup m) {
    section(m, "samples", "Generations before and after training");
    if (samples.isEmpty()) {
      m.element("p", "No sample prompts were generated.", "class", "empty");
      m.close();
      return;
    }
    m.open("table", "id", "samples-table");
    m.open("tr").element("th", "prompt").element("th", "before").element("th", "after").close();
    for (Sample s : samples) {
      m.open("tr", "class", "sample");
      m.element("td", s.prompt(), "class", "text prompt");
      m.element("td", s.before(), "class", "text before");
      m.element("td", s.after(), "class", "text after");
      m.close();
    }
    m.close();
    m.close();
  }

  private void config(Markup m) {
    section(m, "config", "Configuration");
    if (config.isEmpty()) {
      m.element("p", "No configuration was given.", "class", "empty");
    } else {
      Map<String, String> rows = new LinkedHashMap<>();
      flatten("", config.get(), rows);
      keyValueTable(m, "config-table", rows);
    }
    m.close();
  }

  /** Dotted keys to values; lists are shown as JSON, secrets never. */
  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (!field.getKey().equals(SECRET_KEY)) {
          flatten(
              prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
              field.getValue(),
              out);
        }
      }
    } else if (!node.isNull() && !node.isMissingNode()) {
      out.put(prefix, node.isValueNode() ? node.asText() : node.toString());
    }
  }

  private LineChart.Series series(String name, String color, TrainingLog.Kind kind, String metric) {
    List<LineChart.Point> points =
        history.stream()
            .filter(l -> l.kind() == kind && l.metrics().containsKey(metric))
            .map(l -> new LineChart.Point(l.step(), l.get(metric)))
            .toList();
    return new LineChart.Series(name, color, points);
  }

  private Optional<TrainingLog> last(TrainingLog.Kind kind) {
    TrainingLog found = null;
    for (TrainingLog log : history) {
      if (log.kind() == kind) {
        found = log;
      }
    }
    return Optional.ofNullable(found);
  }

  private static void section(Markup m, String id, String heading) {
    m.open("section", "id", id);
    m.element("h2", heading);
  }

  private static void keyValueTable(Markup m, String id, Map<String, String> rows) {
    m.open("table", "id", id);
    rows.forEach(
        (key, value) ->
            m.open("tr")
                .element("th", key)
                .element("td", value, "class", "number", "data-key", key)
                .close());
    m.close();
  }

  private static String number(double value) {
    return Double.isFinite(value) ? LineChart.label(value) : String.valueOf(value);
  }

  private static String bytes(long value) {
    return String.format(Locale.ROOT, "%.1f MiB", value / (1024.0 * 1024.0));
  }

  /** Builds a {@link TrainingReport}; everything but the title may be left out. */
  public static final class Builder {
    private String title = "run";
    private Optional<JsonNode> config = Optional.empty();
    private Optional<DataReport> trainData = Optional.empty();
    private Optional<DataReport> evalData = Optional.empty();
    private List<TrainingLog> history = List.of();
    private Optional<TrainResult> result = Optional.empty();
    private PeakMemory memory = PeakMemory.unknown();
    private List<Sample> samples = List.of();
    private Instant generatedAt;

    private Builder() {}

    /** The run's name, e.g. {@code output.name}. */
    public Builder title(String value) {
      title = Objects.requireNonNull(value, "title");
      return this;
    }

    /** The effective configuration as a tune.yaml tree; a {@code token} key is never shown. */
    public Builder config(JsonNode value) {
      config = Optional.of(value);
      return this;
    }

    public Builder trainData(DataReport value) {
      trainData = Optional.of(value);
      return this;
    }

    public Builder evalData(DataReport value) {
      evalData = Optional.of(value);
      return this;
    }

    /** The run's result: its log history and final metrics. */
    public Builder result(TrainResult value) {
      result = Optional.of(value);
      return this;
    }

    /** A log history, for a run without a {@link TrainResult} (one that failed, say). */
    public Builder history(List<TrainingLog> value) {
      history = List.copyOf(value);
      return this;
    }

    public Builder memory(PeakMemory value) {
      memory = Objects.requireNonNull(value, "memory");
      return this;
    }

    public Builder samples(List<Sample> value) {
      samples = List.copyOf(value);
      return this;
    }

    /** When the report was made; now by default. */
    public Builder generatedAt(Instant value) {
      generatedAt = value;
      return this;
    }

    public TrainingReport build() {
      return new TrainingReport(this);
    }
  }
}
