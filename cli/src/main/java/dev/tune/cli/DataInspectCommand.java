package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataFormat;
import dev.tune.core.train.DataSpec;
import dev.tune.trainer.data.DataFiles;
import dev.tune.trainer.data.DataInspection;
import dev.tune.trainer.data.DataInspector;
import dev.tune.trainer.data.RenderedExample;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tune data inspect}: what tune would make of a data set, before spending GPU time on it.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Read data files as training would: rows, bad rows, the detected format, one rendered",
      "sample and, with --model, token lengths and the rows over max_seq_length.",
      "Files may be JSON Lines, JSON arrays, CSV, TSV or Parquet; a directory or a glob."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune data inspect data/train.jsonl",
      "  tune data inspect data/ --model ./llama --max-seq-length 2048",
      "  tune data inspect dolly.csv --format instruction -o json"
    })
final class DataInspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "FILE",
      description = "Data files, directories or globs.")
  List<String> files;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model directory whose tokenizer (and chat template) to use.")
  Path model;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "auto, text, instruction, prompt_completion or chat. Default: auto.",
      defaultValue = "auto")
  DataFormat format;

  @Option(names = "--text-field", paramLabel = "NAME", description = "Field of text rows.")
  String textField;

  @Option(
      names = "--prompt-template",
      paramLabel = "TEMPLATE",
      description = "Template of instruction rows. Default: the Dolly template.")
  String promptTemplate;

  @Option(
      names = "--max-seq-length",
      paramLabel = "N",
      description = "Token limit to check against. Default: ${DEFAULT-VALUE}.",
      defaultValue = "1024")
  int maxSeqLength;

  @Option(names = "--drop-long-rows", description = "Count over-long rows as dropped, not cut.")
  boolean dropLongRows;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    List<Path> paths = DataFiles.resolve(files);
    DataSpec.Builder b =
        DataSpec.builder(FileUri.of(paths.get(0)))
            .format(format)
            .maxSeqLength(maxSeqLength)
            .dropLongRows(dropLongRows);
    if (textField != null) {
      b.textField(textField);
    }
    if (promptTemplate != null) {
      b.promptTemplate(promptTemplate);
    }
    DataSpec data = b.build();
    DataInspection found;
    if (model != null) {
      try (ModelTokenizer tokenizer = ModelTokenizer.load(model)) {
        found = DataInspector.inspect(paths, data, Optional.of(tokenizer));
      }
    } else {
      found = DataInspector.inspect(paths, data, Optional.empty());
    }
    root.printer().result(text(found), () -> json(found));
    return 0;
  }

  private String text(DataInspection d) {
    StringBuilder s = new StringBuilder();
    s.append("files:  ")
        .append(d.files().size() == 1 ? d.files().get(0) : d.files().size() + " files");
    s.append('\n');
    s.append("rows:   ").append(d.rows());
    if (d.badRows() > 0) {
      s.append(" (").append(d.badRows()).append(" bad)");
    }
    s.append('\n');
    s.append("format: ").append(d.schema()).append('\n');
    for (String message : d.badRowMessages()) {
      s.append("bad row: ").append(message).append('\n');
    }
    if (d.sample().isPresent()) {
      DataInspection.Sample sample = d.sample().get();
      s.append("\nsample (").append(sample.origin()).append("), trained text in [[ ]]:\n");
      for (RenderedExample.Segment segment : sample.rendered().segments()) {
        s.append(segment.trained() ? "[[" + segment.text() + "]]" : segment.text());
      }
      s.append('\n');
    } else {
      s.append("\nsample: chat data renders with the model's chat template; pass --model DIR\n");
    }
    if (d.lengths().isPresent()) {
      DataInspection.Lengths l = d.lengths().get();
      s.append(
          String.format(
              Locale.ROOT,
              "%ntokens per row: min %d, p50 %d, p90 %d, p95 %d, p99 %d, max %d, mean %.1f%n",
              l.min(),
              l.p50(),
              l.p90(),
              l.p95(),
              l.p99(),
              l.max(),
              l.mean()));
      s.append("over max_seq_length ")
          .append(d.maxSeqLength())
          .append(": ")
          .append(d.overLimit())
          .append(d.dropLongRows() ? " rows would be dropped" : " rows would be truncated");
    } else {
      s.append("\ntoken lengths: pass --model DIR to measure them against max_seq_length");
    }
    return s.toString();
  }

  private static ObjectNode json(DataInspection d) {
    ObjectNode n = Printer.object();
    ArrayNode files = n.putArray("files");
    d.files().forEach(f -> files.add(f.toString()));
    n.put("rows", d.rows());
    n.put("bad_rows", d.badRows());
    ArrayNode bad = n.putArray("bad_row_messages");
    d.badRowMessages().forEach(bad::add);
    n.put("format", d.schema());
    d.sample()
        .ifPresent(
            sample -> {
              ObjectNode s = n.putObject("sample");
              s.put("origin", sample.origin().toString());
              s.put("text", sample.rendered().text());
              ArrayNode segments = s.putArray("segments");
              for (RenderedExample.Segment segment : sample.rendered().segments()) {
                segments.addObject().put("text", segment.text()).put("trained", segment.trained());
              }
            });
    n.put("max_seq_length", d.maxSeqLength());
    d.lengths()
        .ifPresent(
            l -> {
              ObjectNode t = n.putObject("token_lengths");
              t.put("min", l.min());
              t.put("p50", l.p50());
              t.put("p90", l.p90());
              t.put("p95", l.p95());
              t.put("p99", l.p99());
              t.put("max", l.max());
              t.put("mean", l.mean());
              n.put("would_truncate", d.wouldTruncate());
              n.put("would_drop", d.wouldDrop());
            });
    return n;
  }
}
