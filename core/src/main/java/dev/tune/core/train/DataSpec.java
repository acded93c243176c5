package dev.tune.core.train;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;

/**
 * The training data.
 *
 * @param train JSON Lines file (or directory of them) to train on
 * @param eval JSON Lines file to evaluate on every {@code eval_steps}; none skips evaluation
 * @param format the record shape
 * @param maxSeqLength longer examples are truncated to this many tokens
 */
public record DataSpec(
    ArtifactUri train, Optional<ArtifactUri> eval, DataFormat format, int maxSeqLength) {

  /** TRL's {@code SFTConfig} default length. */
  public static final int DEFAULT_MAX_SEQ_LENGTH = 1024;

  public DataSpec {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(eval, "eval");
    Objects.requireNonNull(format, "format");
    new Violations("data settings")
        .check(maxSeqLength >= 1, "max_seq_length", maxSeqLength, "an integer >= 1")
        .throwIfAny();
  }

  /** Training data of detected format, no evaluation, the default length. */
  public static DataSpec of(ArtifactUri train) {
    return new DataSpec(train, Optional.empty(), DataFormat.AUTO, DEFAULT_MAX_SEQ_LENGTH);
  }
}
