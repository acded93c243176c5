package dev.tune.container.serve;

import java.nio.file.Path;

/** Loads the model the server serves; {@link ServedModel#load} unless a caller needs otherwise. */
@FunctionalInterface
public interface ModelLoader {

  ServedModel load(Path modelDir);
}
