package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import dev.tune.core.train.DataSpec;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns data files into training examples as {@code data:} in {@code tune.yaml} says: the schema is
 * detected once from the first row, then every pass streams the files again (one row, or one
 * Parquet row group, in memory at a time), renders, tokenizes, applies {@code max_seq_length} and
 * packs. Evaluation data is its own files or an {@code eval_split} of the training rows drawn with
 * the run's seed.
 *
 * <pre>{@code
 * DataPipeline data = DataPipeline.open(spec, trainFiles, evalFiles, tokenizer, seed);
 * DataReport checked = data.train().check();     // every row, before training starts
 * for (TokenizedExample e : data.train()) { ... } // one epoch
 * }</pre>
 */
public final class DataPipeline {

  private final DataSpec spec;
  private final List<Path> trainFiles;
  private final List<Path> evalFiles;
  private final Schema schema;
  private final Renderer renderer;
  private final ExampleTokenizer exampleTokenizer;
  private final LengthLimit limit;
  private final long padId;
  private final Optional<EvalSplit> split;

  private DataPipeline(
      DataSpec spec,
      List<Path> trainFiles,
      List<Path> evalFiles,
      ModelTokenizer tokenizer,
      Schema schema,
      Optional<EvalSplit> split) {
    this.spec = spec;
    this.trainFiles = List.copyOf(trainFiles);
    this.evalFiles = List.copyOf(evalFiles);
    this.schema = schema;
    this.renderer =
        new Renderer(schema, template(spec), Optional.of(tokenizer), spec.completionOnlyLoss());
    this.exampleTokenizer = new ExampleTokenizer(tokenizer);
    this.limit = new LengthLimit(spec.maxSeqLength(), spec.truncationSide(), spec.dropLongRows());
    this.padId = padId(tokenizer);
    this.split = split;
  }

  /**
   * Opens the data: detects the schema from the first row and, for {@code eval_split}, counts the
   * training rows and draws the held-out ones.
   *
   * @param spec the data settings; its {@code train}/{@code eval} URIs are not read here, the files
   *     are (the caller downloads and resolves them, e.g. with {@link DataFiles})
   * @param trainFiles the training files, in order
   * @param evalFiles the evaluation files; empty for none (or for {@code eval_split})
   * @param seed the run's seed, which draws the eval split
   * @throws BadInputException if the data is empty, its format cannot be told, or the first row is
   *     bad
   */
  public static DataPipeline open(
      DataSpec spec,
      List<Path> trainFiles,
      List<Path> evalFiles,
      ModelTokenizer tokenizer,
      long seed) {
    if (trainFiles.isEmpty()) {
      throw new BadInputException(
          "No training data files were given.", "Set data.train to a file, directory or glob.");
    }
    if (spec.evalSplit() > 0 && !evalFiles.isEmpty()) {
      throw new BadInputException(
          "Both evaluation files and data.eval_split were given.",
          "Evaluate on the eval files or on a split of the training data, not both.");
    }
    Schema schema = detect(spec, trainFiles);
    Optional<EvalSplit> split = Optional.empty();
    if (spec.evalSplit() > 0) {
      long rows = RowStream.count(trainFiles);
      EvalSplit s = EvalSplit.of(rows, spec.evalSplit(), seed);
      if (s.evalRows() >= rows) {
        throw new BadInputException(
            "data.eval_split "
                + spec.evalSplit()
                + " of "
                + rows
                + " rows leaves no row for training.",
            "Use a smaller data.eval_split, or more data.");
      }
      split = Optional.of(s);
    }
    return new DataPipeline(spec, trainFiles, evalFiles, tokenizer, schema, split);
  }

  static Schema detect(DataSpec spec, List<Path> files) {
    try (RowStream rows = new RowStream(files)) {
      while (true) {
        Row first;
        try {
          first = rows.next();
        } catch (BadRowException e) {
          if (spec.skipBadRows()) {
            continue;
          }
          throw e;
        }
        if (first == null) {
          throw new BadInputException(
              "The training data has no rows: " + files + ".",
              "Check that the files hold records (JSON objects, CSV rows under a header, Parquet"
                  + " rows).");
        }
        return SchemaDetector.detect(first, spec.format(), spec.textField());
      }
    }
  }

  static PromptTemplate template(DataSpec spec) {
    return spec.promptTemplate().map(PromptTemplate::parse).orElse(PromptTemplate.DOLLY);
  }

  /** The pad id of packed rows: the tokenizer's pad token, else EOS, else 0. */
  static long padId(ModelTokenizer tokenizer) {
    OptionalLong pad = tokenizer.padTokenId();
    if (pad.isPresent()) {
      return pad.getAsLong();
    }
    OptionalLong eos = tokenizer.eosTokenId();
    return eos.isPresent() ? eos.getAsLong() : 0;
  }

  /** The detected (or chosen) schema of the rows. */
  public Schema schema() {
    return schema;
  }

  /** The training examples (without the held-out rows of {@code eval_split}). */
  public ExampleStream train() {
    return new ExampleStream(
        this, trainFiles, r -> split.map(s -> !s.isEval(r)).orElse(true), "training");
  }

  /** The evaluation examples; an empty stream when there is no evaluation data. */
  public ExampleStream eval() {
    if (split.isPresent()) {
      return new ExampleStream(this, trainFiles, r -> split.get().isEval(r), "evaluation");
    }
    return new ExampleStream(this, evalFiles, r -> true, "evaluation");
  }

  /** How many training rows {@code eval_split} holds out; 0 without it. */
  public int heldOutRows() {
    return split.map(EvalSplit::evalRows).orElse(0);
  }

  /** The text one row renders to, as the model reads it (for samples and debugging). */
  public RenderedExample render(Row row) {
    return renderer.render(row);
  }

  TokenizedExample tokenize(Row row) {
    return exampleTokenizer.tokenize(renderer.render(row));
  }

  LengthLimit limit() {
    return limit;
  }

  boolean packing() {
    return spec.packing();
  }

  long padId() {
    return padId;
  }

  boolean skipBadRows() {
    return spec.skipBadRows();
  }
}
