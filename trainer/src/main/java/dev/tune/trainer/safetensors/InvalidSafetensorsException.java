package dev.tune.trainer.safetensors;

import java.nio.file.Path;

/** A safetensors file or checkpoint index that breaks the format; the message names both. */
public final class InvalidSafetensorsException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Path path;

  public InvalidSafetensorsException(Path path, String problem) {
    super(path + ": " + problem);
    this.path = path;
  }

  public InvalidSafetensorsException(Path path, String problem, Throwable cause) {
    super(path + ": " + problem, cause);
    this.path = path;
  }

  /** The offending file. */
  public Path path() {
    return path;
  }
}
