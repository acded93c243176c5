package dev.tune.core.storage;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How an object store's locations ({@code s3://BUCKET/NAME}, {@code gs://BUCKET/NAME}) map onto
 * local files, in both directions. A name that names an object is that object and becomes one file;
 * any other name, and one ending in {@code /}, is a prefix whose objects become the files of a
 * directory that mirrors the names below it. Without a destination, the bucket's cache directory
 * mirrors the whole name. Files move {@link FetchOptions#parallelism()} at once.
 */
public final class BucketLayout {
  private BucketLayout() {}

  /** One object found at a location. */
  public interface Listed {
    /** The object's full name (an S3 key) in its bucket. */
    String name();

    /**
     * Where it goes locally, relative to the listed location ({@code /}-separated); the object's
     * file name when the location is the object itself.
     */
    String path();

    /** In bytes. */
    long size();
  }

  /** Whether {@code name} stands only for a prefix: it is empty or ends in {@code /}. */
  public static boolean isPrefixOnly(String name) {
    return name.isEmpty() || name.endsWith("/");
  }

  /** The prefix whose objects {@code name} stands for when no object has that name. */
  public static String prefixOf(String name) {
    return isPrefixOnly(name) ? name : name + "/";
  }

  /** The {@link Listed#path()} of the object {@code name} when it is the location itself. */
  public static String fileName(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  /**
   * The failure for a {@code location} (whose object name is {@code name}) with neither an object
   * nor objects below it.
   *
   * @param lister the command that lists a location, e.g. {@code aws s3 ls}
   */
  public static NotFoundException nothingAt(ArtifactUri location, String name, String lister) {
    return new NotFoundException(
        "Nothing at "
            + location
            + ": "
            + (isPrefixOnly(name)
                ? "no objects below it."
                : "no object of that name and no objects below " + prefixOf(name) + "."),
        "Check the name; names are case-sensitive ('"
            + lister
            + " "
            + location
            + "' lists what is there).");
  }

  /** What {@link StorageBackend#list} returns for the {@code objects} listed at a location. */
  public static List<StoredFile> storedFiles(List<? extends Listed> objects) {
    return objects.stream()
        .sorted(Comparator.comparing(Listed::path))
        .map(o -> StoredFile.of(o.path(), o.size()))
        .toList();
  }

  /** Brings one object to a local file (unless it is there already). */
  @FunctionalInterface
  public interface Download<O> {
    void fetch(O object, Path target) throws IOException;
  }

  /** Copies one local file to an object. */
  @FunctionalInterface
  public interface Upload<U> {
    void upload(Path file, U target) throws IOException;
  }

  /**
   * Fetches the {@code objects} listed at {@code location} (whose object name is {@code name}) as
   * {@link StorageBackend#fetch} describes, and returns the file or directory.
   *
   * @param bucketCache the cache directory of the location's bucket
   */
  public static <O extends Listed> Path fetch(
      ArtifactUri location,
      String name,
      List<O> objects,
      Path bucketCache,
      FetchOptions options,
      Download<O> download) {
    try {
      if (objects.size() == 1 && objects.get(0).name().equals(name)) {
        O object = objects.get(0);
        Path target =
            options.destination().isPresent()
                ? LocalPath.below(options.destination().get(), object.path(), location)
                : LocalPath.below(bucketCache, object.name(), location);
        download.fetch(object, target);
        return target;
      }
      Map<String, O> byPath = new TreeMap<>();
      objects.forEach(o -> byPath.put(o.path(), o));
      List<String> selected = options.selection().selectFrom(location, byPath.keySet());
      String prefix = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
      Path dir =
          options.destination().isPresent()
              ? options.destination().get()
              : prefix.isEmpty() ? bucketCache : LocalPath.below(bucketCache, prefix, location);
      List<Runnable> tasks = new ArrayList<>();
      for (String path : selected) {
        O object = byPath.get(path);
        Path target = LocalPath.below(dir, path, location);
        tasks.add(
            () -> {
              try {
                download.fetch(object, target);
              } catch (IOException e) {
                throw LocalFiles.failure("writing " + target, e);
              }
            });
      }
      Transfers.runAll(tasks, options.parallelism(), "fetching " + location);
      Files.createDirectories(dir);
      return dir;
    } catch (IOException e) {
      throw LocalFiles.failure("fetching " + location, e);
    }
  }

  /**
   * Copies {@code source} so that {@code destination} (whose object name is {@code name}) is the
   * copy: a file becomes the object named, or one under the file's name when the name is empty or
   * ends in {@code /}; a directory's files become the objects below {@code destination}.
   *
   * @param resolve the location of a {@code /}-separated path below {@code destination}
   * @return where the copy is
   * @throws BadInputException if {@code source} does not exist
   */
  public static <U extends ArtifactUri> U upload(
      Path source, U destination, String name, Function<String, U> resolve, Upload<U> upload) {
    Path from = source.toAbsolutePath().normalize();
    if (!Files.exists(from)) {
      throw new BadInputException(
          "Cannot upload " + from + ": it does not exist.",
          "Give the path of a file or directory.");
    }
    if (!Files.isDirectory(from)) {
      U target =
          name.isEmpty() || name.endsWith("/")
              ? resolve.apply(from.getFileName().toString())
              : destination;
      uploadOne(upload, from, target);
      return target;
    }
    List<Runnable> tasks = new ArrayList<>();
    for (Map.Entry<String, Path> file : LocalTree.files(from).entrySet()) {
      U target = resolve.apply(file.getKey());
      tasks.add(() -> uploadOne(upload, file.getValue(), target));
    }
    Transfers.runAll(
        tasks, FetchOptions.DEFAULT_PARALLELISM, "uploading " + from + " to " + destination);
    return destination;
  }

  private static <U> void uploadOne(Upload<U> upload, Path file, U target) {
    try {
      upload.upload(file, target);
    } catch (IOException e) {
      throw LocalFiles.failure("reading " + file, e);
    }
  }
}
