package dev.tune.core.job;

import dev.tune.core.JobRef;
import dev.tune.core.artifact.ArtifactUri;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider knows about a training job at one moment.
 *
 * @param ref the job
 * @param name the job's display name
 * @param state where the job is in its life
 * @param message the provider's status detail; for a failed job, why it failed
 * @param createdAt when it was submitted
 * @param endedAt when it reached a terminal state
 * @param output where the trained model is (or will be) written
 */
public record JobDescription(
    JobRef ref,
    String name,
    JobState state,
    Optional<String> message,
    Instant createdAt,
    Optional<Instant> endedAt,
    Optional<ArtifactUri> output) {

  public JobDescription {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(output, "output");
  }

  /** A builder; ref, name, state and createdAt are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this value's fields. */
  public Builder toBuilder() {
    Builder b = new Builder().ref(ref).name(name).state(state).createdAt(createdAt);
    b.message = message;
    b.endedAt = endedAt;
    b.output = output;
    return b;
  }

  /** Builds {@link JobDescription}. */
  public static final class Builder {
    private JobRef ref;
    private String name;
    private JobState state;
    private Optional<String> message = Optional.empty();
    private Instant createdAt;
    private Optional<Instant> endedAt = Optional.empty();
    private Optional<ArtifactUri> output = Optional.empty();

    private Builder() {}

    public Builder ref(JobRef value) {
      ref = value;
      return this;
    }

    public Builder name(String value) {
      name = value;
      return this;
    }

    public Builder state(JobState value) {
      state = value;
      return this;
    }

    public Builder message(String value) {
      message = Optional.of(value);
      return this;
    }

    public Builder createdAt(Instant value) {
      createdAt = value;
      return this;
    }

    public Builder endedAt(Instant value) {
      endedAt = Optional.of(value);
      return this;
    }

    public Builder output(ArtifactUri value) {
      output = Optional.of(value);
      return this;
    }

    public JobDescription build() {
      return new JobDescription(ref, name, state, message, createdAt, endedAt, output);
    }
  }
}
