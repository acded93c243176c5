package dev.tune.core.storage;

import dev.tune.core.train.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link StorageBackend#fetch} fetches.
 *
 * @param destination where to put the files; empty lets the backend choose (a cache, or the local
 *     path itself)
 * @param allowPatterns take only files whose path (relative to the fetched location) matches one of
 *     these globs, e.g. {@code *.safetensors}, {@code tokenizer*}; empty takes every file. {@code
 *     *} matches any characters, {@code /} included, as in the Hub's own clients
 * @param ignorePatterns leave out files whose path matches one of these globs
 * @param preferSafetensors when the selected files include {@code *.safetensors}, leave out the
 *     same weights in other formats ({@code *.bin}, {@code *.pt}, {@code *.pth}, {@code *.h5}, ...)
 * @param parallelism how many files move at once, at least 1
 * @param token the credential for this fetch (a model's own Hub token); empty uses the backend's
 *     (e.g. {@code HF_TOKEN})
 */
public record FetchOptions(
    Optional<Path> destination,
    List<String> allowPatterns,
    List<String> ignorePatterns,
    boolean preferSafetensors,
    int parallelism,
    Optional<Secret> token) {

  /** How many files move at once unless told otherwise. */
  public static final int DEFAULT_PARALLELISM = 8;

  public FetchOptions {
    Objects.requireNonNull(destination, "destination");
    allowPatterns = List.copyOf(allowPatterns);
    ignorePatterns = List.copyOf(ignorePatterns);
    Objects.requireNonNull(token, "token");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    destination = destination.map(p -> p.toAbsolutePath().normalize());
  }

  /** Every file, into the backend's cache, {@link #DEFAULT_PARALLELISM} at once. */
  public static FetchOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.destination = destination;
    b.allowPatterns.addAll(allowPatterns);
    b.ignorePatterns.addAll(ignorePatterns);
    b.preferSafetensors = preferSafetensors;
    b.parallelism = parallelism;
    b.token = token;
    return b;
  }

  /** The file filter these options describe. */
  public FileSelection selection() {
    return new FileSelection(allowPatterns, ignorePatterns, preferSafetensors);
  }

  /** Builds {@link FetchOptions}; not thread-safe. */
  public static final class Builder {
    private Optional<Path> destination = Optional.empty();
    private final List<String> allowPatterns = new ArrayList<>();
    private final List<String> ignorePatterns = new ArrayList<>();
    private boolean preferSafetensors = true;
    private int parallelism = DEFAULT_PARALLELISM;
    private Optional<Secret> token = Optional.empty();

    private Builder() {}

    /** Puts the files in {@code dir} instead of leaving the choice to the backend. */
    public Builder destination(Path dir) {
      this.destination = Optional.of(dir);
      return this;
    }

    /** Adds globs of files to take; see {@link FetchOptions#allowPatterns()}. */
    public Builder allow(String... patterns) {
      allowPatterns.addAll(List.of(patterns));
      return this;
    }

    /** Adds globs of files to leave out; see {@link FetchOptions#ignorePatterns()}. */
    public Builder ignore(String... patterns) {
      ignorePatterns.addAll(List.of(patterns));
      return this;
    }

    /** Whether safetensors weights crowd out other formats (default yes). */
    public Builder preferSafetensors(boolean prefer) {
      this.preferSafetensors = prefer;
      return this;
    }

    public Builder parallelism(int files) {
      this.parallelism = files;
      return this;
    }

    /** Uses {@code token}, if present, instead of the backend's credential. */
    public Builder token(Optional<Secret> token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    public FetchOptions build() {
      return new FetchOptions(
          destination, allowPatterns, ignorePatterns, preferSafetensors, parallelism, token);
    }
  }
}
