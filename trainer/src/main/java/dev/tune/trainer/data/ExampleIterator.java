package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.LongPredicate;

/**
 * One lazy pass over a data set: rows are read, rendered, tokenized, limited in length and (when
 * packing) packed as they are asked for; nothing else is held. Close it when stopping early.
 *
 * <p>At the end it fails if the pass kept no example, naming why (no rows, every row bad, every row
 * too long), so a training run never starts on nothing.
 */
public final class ExampleIterator implements Iterator<TokenizedExample>, AutoCloseable {

  private final Iterator<TokenizedExample> out;
  private final Samples samples;
  private final DataStats stats;

  ExampleIterator(DataPipeline pipeline, RowStream rows, LongPredicate keep, String what) {
    this.stats = new DataStats();
    this.samples = new Samples(pipeline, rows, keep, stats, what);
    this.out =
        pipeline.packing()
            ? new Packer(
                samples,
                pipeline.limit().maxLength(),
                pipeline.padId(),
                Packer.DEFAULT_WINDOW,
                stats::packedRow)
            : samples;
  }

  @Override
  public boolean hasNext() {
    return out.hasNext();
  }

  @Override
  public TokenizedExample next() {
    return out.next();
  }

  /** What the pass did so far; complete once {@link #hasNext()} returned false. */
  public DataReport report() {
    return stats.report();
  }

  @Override
  public void close() {
    samples.rows.close();
  }

  /** The unpacked samples, with bad-row handling and the end-of-data checks. */
  private static final class Samples implements Iterator<TokenizedExample> {
    private final DataPipeline pipeline;
    private final RowStream rows;
    private final LongPredicate keep;
    private final DataStats stats;
    private final String what;
    private TokenizedExample next;
    private boolean done;

    Samples(
        DataPipeline pipeline, RowStream rows, LongPredicate keep, DataStats stats, String what) {
      this.pipeline = pipeline;
      this.rows = rows;
      this.keep = keep;
      this.stats = stats;
      this.what = what;
    }

    @Override
    public boolean hasNext() {
      while (next == null && !done) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public TokenizedExample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      TokenizedExample e = next;
      next = null;
      return e;
    }

    /** The next kept sample; null for a row that was skipped or dropped, or at the end. */
    private TokenizedExample advance() {
      Row row;
      try {
        row = rows.next();
      } catch (BadRowException e) {
        if (keep.test(rows.ordinal())) {
          stats.row();
          skipOrThrow(e);
        }
        return null;
      }
      if (row == null) {
        done = true;
        rows.close();
        failIfNothingKept();
        return null;
      }
      if (!keep.test(rows.ordinal())) {
        return null;
      }
      stats.row();
      try {
        TokenizedExample full = pipeline.tokenize(row);
        return pipeline.limit().apply(full, stats);
      } catch (BadRowException e) {
        skipOrThrow(e);
        return null;
      }
    }

    private void skipOrThrow(BadRowException e) {
      if (!pipeline.skipBadRows()) {
        rows.close();
        throw e;
      }
      stats.skipped(e);
    }

    private void failIfNothingKept() {
      if (stats.examples() > 0) {
        return;
      }
      DataReport r = stats.report();
      if (r.rows() == 0) {
        throw new BadInputException(
            "The " + what + " data has no rows.",
            "Check that the files hold records (JSON objects, CSV rows under a header, Parquet"
                + " rows).");
      }
      if (r.skippedBadRows() == r.rows()) {
        throw new BadInputException(
            "Every one of the "
                + r.rows()
                + " rows of the "
                + what
                + " data is bad; the first: "
                + r.skippedExamples().get(0),
            "Fix the rows, or the format settings (data.format, data.text_field).");
      }
      if (r.droppedTooLong() > 0) {
        throw new BadInputException(
            "All "
                + r.droppedTooLong()
                + " usable rows of the "
                + what
                + " data are longer than max_seq_length ("
                + pipeline.limit().maxLength()
                + " tokens; the longest has "
                + r.longest()
                + ").",
            "Raise data.max_seq_length, or set data.drop_long_rows: false to truncate them.");
      }
      throw new BadInputException(
          "No row of the " + what + " data has a token left to train on.",
          "With completion-only loss, make sure rows have a response or assistant turn within"
              + " data.max_seq_length (data.truncation_side: left keeps the end).");
    }
  }
}
