package dev.tune.trainer.safetensors;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;

/** A safetensors file or checkpoint index that breaks the format; the message names both. */
public final class InvalidSafetensorsException extends BadInputException {

  private static final long serialVersionUID = 1L;

  private static final String FIX =
      "The file is damaged or was not written by a safetensors writer: download or export the"
          + " checkpoint again, or point tune at another model directory.";

  private final transient Path path;

  public InvalidSafetensorsException(Path path, String problem) {
    super(path + ": " + problem, FIX);
    this.path = path;
  }

  public InvalidSafetensorsException(Path path, String problem, Throwable cause) {
    super(path + ": " + problem, FIX, cause);
    this.path = path;
  }

  /** The offending file. */
  public Path path() {
    return path;
  }
}
