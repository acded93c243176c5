package dev.tune.container.contract;

import dev.tune.container.train.ModelFetch;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Copies a job's inputs into channel directories, as SageMaker's File mode does: {@code model/}
 * (the base model), {@code train/} and, with {@code data.eval}, {@code eval/}. Any scheme the
 * {@link Storage} knows can be the source.
 */
final class InputStager {
  private final Storage storage;
  private final ProgressListener listener;

  InputStager(Storage storage, ProgressListener listener) {
    this.storage = storage;
    this.listener = listener;
  }

  /** The channel directories below {@code dataDir}, by channel name. */
  Map<String, Path> stage(TrainSpec spec, Path dataDir) {
    Map<String, Path> channels = new TreeMap<>();
    channels.put(
        "model",
        fetch(
            spec.model().source(),
            dataDir.resolve("model"),
            ModelFetch.options().token(spec.model().token())));
    channels.put(
        "train", fetch(spec.data().train(), dataDir.resolve("train"), FetchOptions.builder()));
    Optional<ArtifactUri> eval = spec.data().eval();
    if (eval.isPresent()) {
      channels.put("eval", fetch(eval.get(), dataDir.resolve("eval"), FetchOptions.builder()));
    }
    return channels;
  }

  private Path fetch(ArtifactUri source, Path dir, FetchOptions.Builder options) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    storage.fetch(source, options.destination(dir).build(), listener);
    return dir;
  }
}
