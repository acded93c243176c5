package dev.tune.core.train;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;

/**
 * The training data and how it becomes token sequences. The {@code tune.yaml} key of each component
 * is its snake_case name under {@code data:}; build with {@link #builder(ArtifactUri)}.
 *
 * @param train the training data: a file (JSON Lines, JSON array, CSV, TSV or Parquet), a directory
 *     of them or a glob such as {@code data/*.jsonl}
 * @param eval evaluation data of the same kinds, evaluated every {@code eval_steps}; none skips
 *     evaluation unless {@code evalSplit} is set
 * @param format the record shape; {@link DataFormat#AUTO} detects it from the first record
 * @param maxSeqLength longer examples are truncated (or dropped) to this many tokens
 * @param textField the field that holds the text of {@link DataFormat#TEXT} records; empty means
 *     {@code text}, or the only string field of the record
 * @param promptTemplate the template instruction records are rendered with; empty means the
 *     Dolly-style default ({@code ### Instruction:}, {@code Input:}, {@code ### Response:}, {@code
 *     ### End})
 * @param evalSplit the fraction of the training rows held out for evaluation (a seeded random
 *     choice), 0 for none; not together with {@code eval}
 * @param packing concatenate examples into rows of {@code maxSeqLength} tokens; examples never
 *     attend to each other
 * @param truncationSide which end of an over-long example is cut off
 * @param dropLongRows drop over-long examples instead of truncating them
 * @param skipBadRows skip (and count) malformed rows instead of failing on the first one
 * @param completionOnlyLoss train on the completion, response or assistant turns only (prompt
 *     tokens get label -100); plain text data trains on every token either way
 */
public record DataSpec(
    ArtifactUri train,
    Optional<ArtifactUri> eval,
    DataFormat format,
    int maxSeqLength,
    Optional<String> textField,
    Optional<String> promptTemplate,
    double evalSplit,
    boolean packing,
    TruncationSide truncationSide,
    boolean dropLongRows,
    boolean skipBadRows,
    boolean completionOnlyLoss) {

  /** TRL's {@code SFTConfig} default length. */
  public static final int DEFAULT_MAX_SEQ_LENGTH = 1024;

  public DataSpec {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(eval, "eval");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(textField, "textField");
    Objects.requireNonNull(promptTemplate, "promptTemplate");
    Objects.requireNonNull(truncationSide, "truncationSide");
    Violations v = new Violations("data settings");
    v.check(maxSeqLength >= 1, "max_seq_length", maxSeqLength, "an integer >= 1");
    v.check(
        textField.isEmpty() || !textField.get().isBlank(),
        "text_field",
        textField.orElse(""),
        "the name of a field, such as text");
    v.check(
        promptTemplate.isEmpty() || promptTemplate.get().contains("{response}"),
        "prompt_template",
        promptTemplate.orElse(""),
        "a template with a {response} placeholder");
    v.check(
        evalSplit >= 0 && evalSplit < 1,
        "eval_split",
        evalSplit,
        "a fraction >= 0 and < 1, such as 0.1");
    v.check(
        evalSplit == 0 || eval.isEmpty(),
        "eval_split",
        evalSplit,
        "0 when data.eval is set (evaluate on the eval files or on a split, not both)");
    v.throwIfAny();
  }

  /** The data settings of tune's defaults with these four set. */
  public DataSpec(
      ArtifactUri train, Optional<ArtifactUri> eval, DataFormat format, int maxSeqLength) {
    this(
        train,
        eval,
        format,
        maxSeqLength,
        Optional.empty(),
        Optional.empty(),
        0,
        false,
        TruncationSide.RIGHT,
        false,
        false,
        true);
  }

  /** Training data of detected format, no evaluation, the default length. */
  public static DataSpec of(ArtifactUri train) {
    return builder(train).build();
  }

  /** A builder holding the defaults, for this training data. */
  public static Builder builder(ArtifactUri train) {
    return new Builder(train);
  }

  /** A builder holding this value's fields. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link DataSpec}; every field left unset takes its default. */
  public static final class Builder {
    private ArtifactUri train;
    private Optional<ArtifactUri> eval = Optional.empty();
    private DataFormat format = DataFormat.AUTO;
    private int maxSeqLength = DEFAULT_MAX_SEQ_LENGTH;
    private Optional<String> textField = Optional.empty();
    private Optional<String> promptTemplate = Optional.empty();
    private double evalSplit;
    private boolean packing;
    private TruncationSide truncationSide = TruncationSide.RIGHT;
    private boolean dropLongRows;
    private boolean skipBadRows;
    private boolean completionOnlyLoss = true;

    private Builder(ArtifactUri train) {
      this.train = train;
    }

    private Builder(DataSpec d) {
      train = d.train;
      eval = d.eval;
      format = d.format;
      maxSeqLength = d.maxSeqLength;
      textField = d.textField;
      promptTemplate = d.promptTemplate;
      evalSplit = d.evalSplit;
      packing = d.packing;
      truncationSide = d.truncationSide;
      dropLongRows = d.dropLongRows;
      skipBadRows = d.skipBadRows;
      completionOnlyLoss = d.completionOnlyLoss;
    }

    public Builder train(ArtifactUri value) {
      this.train = value;
      return this;
    }

    public Builder eval(ArtifactUri value) {
      this.eval = Optional.of(value);
      return this;
    }

    public Builder format(DataFormat value) {
      this.format = value;
      return this;
    }

    public Builder maxSeqLength(int value) {
      this.maxSeqLength = value;
      return this;
    }

    public Builder textField(String value) {
      this.textField = Optional.of(value);
      return this;
    }

    public Builder promptTemplate(String value) {
      this.promptTemplate = Optional.of(value);
      return this;
    }

    public Builder evalSplit(double value) {
      this.evalSplit = value;
      return this;
    }

    public Builder packing(boolean value) {
      this.packing = value;
      return this;
    }

    public Builder truncationSide(TruncationSide value) {
      this.truncationSide = value;
      return this;
    }

    public Builder dropLongRows(boolean value) {
      this.dropLongRows = value;
      return this;
    }

    public Builder skipBadRows(boolean value) {
      this.skipBadRows = value;
      return this;
    }

    public Builder completionOnlyLoss(boolean value) {
      this.completionOnlyLoss = value;
      return this;
    }

    /**
     * @throws dev.tune.core.error.InvalidSpecException listing every broken rule
     */
    public DataSpec build() {
      return new DataSpec(
          train,
          eval,
          format,
          maxSeqLength,
          textField,
          promptTemplate,
          evalSplit,
          packing,
          truncationSide,
          dropLongRows,
          skipBadRows,
          completionOnlyLoss);
    }
  }
}
