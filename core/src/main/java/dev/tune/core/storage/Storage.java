package dev.tune.core.storage;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.progress.ProgressListener;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and writes artifacts wherever they live, through the {@link StorageBackend} of each URI's
 * scheme. The trainer and the CLI fetch through this class only.
 *
 * <pre>{@code
 * Storage storage = Storage.discover();
 * Path model = storage.fetch(
 *     ArtifactUri.parse("hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main"),
 *     FetchOptions.builder().allow("*.safetensors", "*.json", "tokenizer*").build(),
 *     System.err::println);
 * }</pre>
 */
public final class Storage {
  // Modules that add a scheme core lacks, for the message when one is missing.
  private static final Map<String, String> MODULE_OF_SCHEME =
      Map.of(
          "s3", "tune-cloud-aws",
          "gs", "tune-cloud-gcp",
          "file", "tune-core",
          "https", "tune-core",
          "hf", "tune-core");

  private final Map<String, StorageBackend> byScheme;

  private Storage(Map<String, StorageBackend> byScheme) {
    this.byScheme = Collections.unmodifiableMap(byScheme);
  }

  /** The backends visible to the thread's context class loader. */
  public static Storage discover() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return discover(loader != null ? loader : Storage.class.getClassLoader());
  }

  /**
   * The backends visible to {@code loader}.
   *
   * @throws BadInputException if two backends serve the same scheme
   */
  public static Storage discover(ClassLoader loader) {
    return of(
        ServiceLoader.load(StorageBackend.class, loader).stream()
            .map(ServiceLoader.Provider::get)
            .toList());
  }

  /**
   * The given backends, e.g. ones built with non-default settings.
   *
   * @throws BadInputException if two backends serve the same scheme
   */
  public static Storage of(List<? extends StorageBackend> backends) {
    Map<String, StorageBackend> byScheme = new TreeMap<>();
    for (StorageBackend backend : backends) {
      for (String scheme : backend.schemes()) {
        StorageBackend previous = byScheme.putIfAbsent(scheme, backend);
        if (previous != null) {
          throw new BadInputException(
              "Two storage backends on the classpath serve "
                  + scheme
                  + "://: "
                  + previous.getClass().getName()
                  + " and "
                  + backend.getClass().getName()
                  + ".",
              "Keep one module per scheme on the classpath.");
        }
      }
    }
    return new Storage(byScheme);
  }

  /** This storage with {@code backend} serving its schemes instead of the backends found. */
  public Storage with(StorageBackend backend) {
    Map<String, StorageBackend> copy = new TreeMap<>(byScheme);
    for (String scheme : backend.schemes()) {
      copy.put(scheme, backend);
    }
    return new Storage(copy);
  }

  /** The schemes a backend was found for, sorted. */
  public SortedSet<String> schemes() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(byScheme.keySet()));
  }

  /** The backend of {@code scheme}, if one was found. */
  public Optional<StorageBackend> find(String scheme) {
    return Optional.ofNullable(byScheme.get(scheme));
  }

  /**
   * The backend of {@code scheme}.
   *
   * @throws BadInputException naming the module that adds the scheme and the schemes available
   */
  public StorageBackend backend(String scheme) {
    StorageBackend backend = byScheme.get(scheme);
    if (backend != null) {
      return backend;
    }
    String available =
        byScheme.isEmpty()
            ? "No storage backend is on the classpath."
            : "Available: " + String.join("://, ", byScheme.keySet()) + "://.";
    String module = MODULE_OF_SCHEME.get(scheme);
    String fix =
        module == null
            ? "Use one of the available schemes."
            : "Put the " + module + " module on the classpath; it adds " + scheme + "://.";
    throw new BadInputException(
        scheme
            + ":// needs "
            + (module == null ? "a storage backend" : "the " + module + " module")
            + " on the classpath, and it is not there. "
            + available,
        fix);
  }

  /** Fetches {@code source} with {@code options}; see {@link StorageBackend#fetch}. */
  public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(listener, "listener");
    return backend(source.scheme()).fetch(source, options, listener);
  }

  /** Fetches every file of {@code source} into the backend's choice of place, quietly. */
  public Path fetch(ArtifactUri source) {
    return fetch(source, FetchOptions.defaults(), ProgressListener.none());
  }

  /** The files at {@code location}; see {@link StorageBackend#list}. */
  public List<StoredFile> list(ArtifactUri location) {
    return backend(location.scheme()).list(location);
  }

  /** Copies {@code source} to {@code destination}; see {@link StorageBackend#upload}. */
  public ArtifactUri upload(Path source, ArtifactUri destination, ProgressListener listener) {
    Objects.requireNonNull(listener, "listener");
    return backend(destination.scheme()).upload(source, destination, listener);
  }
}
