package dev.tune.trainer.data;

import dev.tune.core.train.DataSpec;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads a data set once, as training would, without failing on bad rows: it counts rows, detects
 * the schema, renders a sample and, with the model's tokenizer, measures token lengths against
 * {@code max_seq_length}. Only the lengths are kept (4 bytes a row) for the percentiles.
 */
public final class DataInspector {

  private DataInspector() {}

  /**
   * @throws dev.tune.core.error.BadInputException if the files have no rows or their format cannot
   *     be told
   */
  public static DataInspection inspect(
      List<Path> files, DataSpec spec, Optional<ModelTokenizer> tokenizer) {
    Schema schema = DataPipeline.detect(spec, files);
    boolean canRender = tokenizer.isPresent() || !(schema instanceof Schema.Chat);
    Renderer renderer =
        new Renderer(schema, DataPipeline.template(spec), tokenizer, spec.completionOnlyLoss());
    Optional<ExampleTokenizer> exampleTokenizer = tokenizer.map(ExampleTokenizer::new);

    long rows = 0;
    long bad = 0;
    List<String> messages = new ArrayList<>();
    Optional<DataInspection.Sample> sample = Optional.empty();
    int[] lengths = new int[1024];
    int measured = 0;
    long over = 0;
    try (RowStream stream = new RowStream(files)) {
      while (true) {
        Row row;
        try {
          row = stream.next();
          if (row == null) {
            break;
          }
          if (!canRender) {
            continue;
          }
          RenderedExample rendered = renderer.render(row);
          if (sample.isEmpty()) {
            sample = Optional.of(new DataInspection.Sample(row.origin(), rendered));
          }
          if (exampleTokenizer.isPresent()) {
            int length = exampleTokenizer.get().tokenize(rendered).length();
            if (measured == lengths.length) {
              lengths = Arrays.copyOf(lengths, measured * 2);
            }
            lengths[measured++] = length;
            over += length > spec.maxSeqLength() ? 1 : 0;
          }
        } catch (BadRowException e) {
          bad++;
          if (messages.size() < DataStats.KEPT_MESSAGES) {
            messages.add(e.getMessage());
          }
        }
      }
      // Every record read, bad ones included, took an ordinal.
      rows = stream.ordinal() + 1;
    }
    return new DataInspection(
        files,
        rows,
        bad,
        messages,
        schema.describe(),
        sample,
        exampleTokenizer.isPresent() && measured > 0
            ? Optional.of(lengths(Arrays.copyOf(lengths, measured)))
            : Optional.empty(),
        spec.maxSeqLength(),
        over,
        spec.dropLongRows());
  }

  static DataInspection.Lengths lengths(int[] values) {
    Arrays.sort(values);
    long sum = 0;
    for (int v : values) {
      sum += v;
    }
    return new DataInspection.Lengths(
        values[0],
        rank(values, 50),
        rank(values, 90),
        rank(values, 95),
        rank(values, 99),
        values[values.length - 1],
        (double) sum / values.length);
  }

  /** The nearest-rank percentile of sorted values. */
  private static int rank(int[] sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }
}
