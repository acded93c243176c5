package dev.tune.container.train;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.progress.ProgressListener;
import dev.tune.core.storage.FetchOptions;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.DataFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Makes the base model and the data local: a channel the platform staged wins, else the spec's URI
 * (mapped by the layout, e.g. to a FUSE mount) is fetched through {@link Storage}.
 */
final class JobInputs {
  private final TrainLayout layout;
  private final Storage storage;
  private final ProgressListener listener;

  JobInputs(TrainLayout layout, Storage storage, ProgressListener listener) {
    this.layout = layout;
    this.storage = storage;
    this.listener = listener;
  }

  /** The base model's local directory. */
  Path model(TrainSpec spec) {
    Optional<Path> staged = layout.channel(TrainLayout.MODEL_CHANNEL);
    if (staged.isPresent()) {
      return staged.get();
    }
    ArtifactUri source = layout.localize(spec.model().source());
    return storage.fetch(
        source, ModelFetch.options().token(spec.model().token()).build(), listener);
  }

  /** The training data files. */
  List<Path> train(TrainSpec spec) {
    return files(TrainLayout.TRAIN_CHANNEL, Optional.of(spec.data().train()));
  }

  /** The evaluation data files; empty without {@code data.eval}. */
  List<Path> eval(TrainSpec spec) {
    return files(TrainLayout.EVAL_CHANNEL, spec.data().eval());
  }

  private List<Path> files(String channel, Optional<ArtifactUri> uri) {
    Optional<Path> staged = layout.channel(channel);
    if (staged.isPresent()) {
      return DataFiles.resolve(staged.get().toString());
    }
    if (uri.isEmpty()) {
      return List.of();
    }
    ArtifactUri source = layout.localize(uri.get());
    // A local path may be a glob, which only DataFiles understands.
    Path local =
        source instanceof FileUri file
            ? file.path()
            : storage.fetch(source, FetchOptions.defaults(), listener);
    return DataFiles.resolve(local.toString());
  }
}
