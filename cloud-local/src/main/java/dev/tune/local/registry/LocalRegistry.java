package dev.tune.local.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.core.ResourceName;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.storage.FileLocks;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.storage.LocalTree;
import dev.tune.local.store.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local model registry: versions of named models under {@code ROOT/models/NAME/vN/}, each with
 * its own copy of the model files ({@code model/}, hard-linked where the file system allows), the
 * producing job's {@code metrics.json} and {@code spec.json}, and {@code model.json} with the
 * metadata.
 *
 * <p>Safe for several CLIs at once: files are staged under a private name outside the lock; only
 * choosing the version number and renaming the staged directory into place happen under {@code
 * ROOT/registry.lock}. A version directory therefore appears complete or not at all.
 */
public final class LocalRegistry {
  private static final Pattern VERSION_DIR = Pattern.compile("v([1-9][0-9]*)");
  private static final Pattern ID = Pattern.compile("(.+)@v([1-9][0-9]*)");

  private final Path root;

  /** A registry kept in {@code root}, created on first use. */
  public LocalRegistry(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * Adds the Hugging Face model directory {@code modelDir} as the next version of {@code name}.
   *
   * @throws NotFoundException if {@code modelDir} is not a directory
   */
  public ModelRecord register(String name, Path modelDir) {
    requireName(name);
    if (!Files.isDirectory(modelDir)) {
      throw new NotFoundException(
          "Cannot register " + modelDir + ": it is not a directory.",
          "Register the model directory a training job wrote (its output/model).");
    }
    Path staging = root.resolve("staging").resolve(UUID.randomUUID().toString());
    try {
      Lineage lineage = Lineage.of(modelDir.toAbsolutePath().normalize());
      copyTree(modelDir, staging.resolve("model"));
      Optional<JsonNode> metrics = Optional.empty();
      if (lineage.metricsFile().isPresent()) {
        LocalFiles.copy(lineage.metricsFile().get(), staging.resolve("metrics.json"));
        metrics = JsonFiles.read(staging.resolve("metrics.json"));
      }
      if (lineage.specFile().isPresent()) {
        LocalFiles.copy(lineage.specFile().get(), staging.resolve("spec.json"));
      }
      Optional<JsonNode> metricsTree = metrics;
      return FileLocks.withLock(
          lockFile(),
          () -> {
            Path modelRoot = root.resolve("models").resolve(name);
            int version = nextVersion(modelRoot);
            ModelRecord record =
                new ModelRecord(
                    name,
                    version,
                    Instant.now(),
                    "file://" + modelDir.toAbsolutePath().normalize(),
                    lineage.jobId(),
                    lineage.baseModel(),
                    lineage.data(),
                    metricsTree);
            JsonFiles.write(staging.resolve("model.json"), record.toJson());
            Files.createDirectories(modelRoot);
            Files.move(staging, modelRoot.resolve("v" + version), StandardCopyOption.ATOMIC_MOVE);
            LocalFiles.writeString(modelRoot.resolve("last-version"), Integer.toString(version));
            return record;
          });
    } catch (IOException e) {
      throw LocalFiles.failure("registering " + modelDir + " as " + name, e);
    } finally {
      LocalTree.deleteQuietly(staging);
    }
  }

  /** Every version of every model, newest first. */
  public List<ModelRecord> list() {
    List<ModelRecord> records = new ArrayList<>();
    Path models = root.resolve("models");
    if (!Files.isDirectory(models)) {
      return records;
    }
    try (Stream<Path> names = Files.list(models)) {
      for (Path name : names.filter(Files::isDirectory).toList()) {
        for (Path version : versionDirs(name)) {
          read(version).ifPresent(records::add);
        }
      }
    } catch (IOException e) {
      throw LocalFiles.failure("reading the local registry in " + root, e);
    }
    records.sort(
        Comparator.comparing(ModelRecord::createdAt)
            .thenComparing(ModelRecord::version)
            .reversed());
    return records;
  }

  /**
   * The version that {@code id} names: {@code NAME@vN}, or {@code NAME} for its newest version.
   *
   * @throws NotFoundException if there is none
   */
  public ModelRecord describe(String id) {
    return read(versionDir(id)).orElseThrow(() -> notFound(id));
  }

  /** The model files of a registered version. */
  public Path modelDir(ModelRecord record) {
    return root.resolve("models")
        .resolve(record.name())
        .resolve("v" + record.version())
        .resolve("model");
  }

  /** The directory of a registered version ({@code model.json}, {@code model/}, ...). */
  public Path versionDir(ModelRecord record) {
    return modelDir(record).getParent();
  }

  /**
   * Removes the version {@code id} names and its files. Its number is not given out again.
   *
   * @throws NotFoundException if there is none
   */
  public void delete(String id) {
    Path trash = root.resolve("staging").resolve("deleted-" + UUID.randomUUID());
    try {
      FileLocks.withLock(
          lockFile(),
          () -> {
            Path dir = versionDir(id);
            if (!Files.isRegularFile(dir.resolve("model.json"))) {
              throw notFound(id);
            }
            Files.createDirectories(trash.getParent());
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            return null;
          });
    } catch (IOException e) {
      throw LocalFiles.failure("deleting model " + id + " from " + root, e);
    } finally {
      LocalTree.deleteQuietly(trash);
    }
  }

  private Path versionDir(String id) {
    Matcher m = ID.matcher(id);
    String name = m.matches() ? m.group(1) : id;
    if (!ResourceName.isValid(name)) {
      throw notFound(id);
    }
    Path modelRoot = root.resolve("models").resolve(name);
    if (m.matches()) {
      return modelRoot.resolve("v" + m.group(2));
    }
    try {
      List<Path> versions = versionDirs(modelRoot);
      if (versions.isEmpty()) {
        throw notFound(id);
      }
      return versions.get(versions.size() - 1);
    } catch (IOException e) {
      throw LocalFiles.failure("reading model " + id + " in " + root, e);
    }
  }

  private static Optional<ModelRecord> read(Path versionDir) {
    try {
      return JsonFiles.read(versionDir.resolve("model.json")).map(ModelRecord::fromJson);
    } catch (IOException e) {
      throw LocalFiles.failure("reading " + versionDir.resolve("model.json"), e);
    }
  }

  /** The version directories of one model, oldest first. */
  private static List<Path> versionDirs(Path modelRoot) throws IOException {
    if (!Files.isDirectory(modelRoot)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(modelRoot)) {
      return dirs.filter(d -> VERSION_DIR.matcher(d.getFileName().toString()).matches())
          .filter(d -> Files.isRegularFile(d.resolve("model.json")))
          .sorted(Comparator.comparingInt(LocalRegistry::versionOf))
          .toList();
    }
  }

  private static int nextVersion(Path modelRoot) throws IOException {
    int last = 0;
    Path counter = modelRoot.resolve("last-version");
    if (Files.isRegularFile(counter)) {
      last = Integer.parseInt(Files.readString(counter).strip());
    }
    if (Files.isDirectory(modelRoot)) {
      try (Stream<Path> dirs = Files.list(modelRoot)) {
        for (Path d : dirs.toList()) {
          if (VERSION_DIR.matcher(d.getFileName().toString()).matches()) {
            last = Math.max(last, versionOf(d));
          }
        }
      }
    }
    return last + 1;
  }

  private static int versionOf(Path versionDir) {
    return Integer.parseInt(versionDir.getFileName().toString().substring(1));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        LocalFiles.linkOrCopy(file, to.resolve(from.relativize(file).toString()));
      }
    }
  }

  private Path lockFile() {
    return root.resolve("registry.lock");
  }

  private NotFoundException notFound(String id) {
    return new NotFoundException(
        "No model '" + id + "' in the local registry (" + root + ").",
        "List the registered models with: tune models list --provider local");
  }

  private static void requireName(String name) {
    if (!ResourceName.isValid(name)) {
      throw new BadInputException(
          "'" + name + "' is not a model name.", "Use " + ResourceName.RULE + ".");
    }
  }
}
