package dev.tune.trainer.data;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The examples of one data set (training or evaluation), read again from the files by every {@link
 * #iterator()}: one iterator is one epoch, and nothing outlives it.
 */
public final class ExampleStream implements Iterable<TokenizedExample> {

  private final DataPipeline pipeline;
  private final List<Path> files;
  private final LongPredicate keep;
  private final String what;

  ExampleStream(DataPipeline pipeline, List<Path> files, LongPredicate keep, String what) {
    this.pipeline = pipeline;
    this.files = List.copyOf(files);
    this.keep = keep;
    this.what = what;
  }

  /** Whether there is anything to read (an evaluation set may be absent). */
  public boolean isPresent() {
    return !files.isEmpty();
  }

  /** A new pass over the data; close it if you stop before the end. */
  @Override
  public ExampleIterator iterator() {
    return new ExampleIterator(pipeline, new RowStream(files), keep, what);
  }

  /**
   * Reads the whole data set once, as training would, and reports what it kept, skipped, truncated
   * and dropped; every error training would meet surfaces here first. An absent data set reports
   * zeros.
   */
  public DataReport check() {
    if (!isPresent()) {
      return new DataStats().report();
    }
    try (ExampleIterator it = iterator()) {
      while (it.hasNext()) {
        it.next();
      }
      return it.report();
    }
  }
}
