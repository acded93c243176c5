package dev.tune.core.storage.file;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.FileProgress;
import dev.tune.core.storage.LocalFiles;
import dev.tune.core.storage.LocalTree;
import dev.tune.core.storage.StorageBackend;
import dev.tune.core.storage.StoredFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Local files and directories ({@code file://} and plain paths). A fetch without a destination
 * returns the path itself; with one, it copies. Uploads copy too, each file through a temporary
 * name so that no reader sees half of it.
 */
public final class FileStorageBackend implements StorageBackend {

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public Path fetch(ArtifactUri source, FetchOptions options, ProgressListener listener) {
    Path path = pathOf(source);
    requireExists(source, path);
    if (options.destination().isEmpty()) {
      return path;
    }
    Path destination = options.destination().get();
    if (Files.isDirectory(path)) {
      if (path.equals(destination)) {
        return path;
      }
      Map<String, Path> files = LocalTree.files(path);
      for (String relative : options.selection().select(files.keySet())) {
        copyOne(
            source.resolve(relative), files.get(relative), destination.resolve(relative), listener);
      }
      return destination;
    }
    Path target = destination.resolve(path.getFileName().toString());
    if (!target.equals(path)) {
      copyOne(source, path, target, listener);
    }
    return target;
  }

  @Override
  public List<StoredFile> list(ArtifactUri location) {
    Path path = pathOf(location);
    requireExists(location, path);
    List<StoredFile> listed = new ArrayList<>();
    try {
      if (Files.isDirectory(path)) {
        for (Map.Entry<String, Path> e : LocalTree.files(path).entrySet()) {
          listed.add(StoredFile.of(e.getKey(), Files.size(e.getValue())));
        }
      } else {
        listed.add(StoredFile.of(path.getFileName().toString(), Files.size(path)));
      }
    } catch (IOException e) {
      throw LocalFiles.failure("listing " + path, e);
    }
    return listed;
  }

  @Override
  public ArtifactUri upload(Path source, ArtifactUri destination, ProgressListener listener) {
    Path from = source.toAbsolutePath().normalize();
    Path to = pathOf(destination);
    if (!Files.exists(from)) {
      throw new BadInputException(
          "Cannot upload " + from + ": it does not exist.",
          "Give the path of a file or directory.");
    }
    if (Files.isDirectory(from)) {
      if (to.equals(from)) {
        return destination;
      }
      if (to.startsWith(from)) {
        throw new BadInputException(
            "Cannot upload " + from + " to " + destination + ": the destination is inside it.",
            "Upload to a directory outside the source.");
      }
      LocalTree.files(from)
          .forEach(
              (relative, file) ->
                  copyOne(destination.resolve(relative), file, to.resolve(relative), listener));
    } else {
      if (Files.isDirectory(to)) {
        throw new BadInputException(
            "Cannot upload the file " + from + " to " + destination + ": that is a directory.",
            "Name the file to create, e.g. "
                + destination.resolve(from.getFileName().toString())
                + ".");
      }
      if (!to.equals(from)) {
        copyOne(destination, from, to, listener);
      }
    }
    return destination;
  }

  private static Path pathOf(ArtifactUri uri) {
    if (uri instanceof FileUri file) {
      return file.path();
    }
    throw new IllegalArgumentException("not a file:// URI: " + uri);
  }

  private static void requireExists(ArtifactUri uri, Path path) {
    if (!Files.exists(path)) {
      throw new NotFoundException(
          "Nothing at " + uri + ": no such file or directory.",
          "Check the path; relative paths in tune.yaml are relative to the file's directory.");
    }
  }

  private static void copyOne(ArtifactUri file, Path from, Path to, ProgressListener listener) {
    FileProgress progress = new FileProgress(file, listener);
    try {
      long size = Files.size(from);
      progress.started(0, OptionalLong.of(size));
      LocalFiles.copy(from, to);
      progress.done(size);
    } catch (IOException e) {
      throw LocalFiles.failure("copying " + from + " to " + to, e);
    }
  }
}
