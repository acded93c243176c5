package dev.tune.local.process;

import java.util.Objects;

/**
 * The main classes a local job or endpoint runs: the container's entrypoint, so a local run does
 * what the image does. Each is started with {@code train ...} or {@code serve ...} as its
 * arguments.
 *
 * @param trainMain runs {@code train --contract local --job-dir DIR [--resume]}
 * @param serveMain runs {@code serve [--contract sagemaker] --model-dir DIR --port N ...}
 */
public record EntryPoints(String trainMain, String serveMain) {
  static final String CONTAINER_MAIN = "dev.tune.container.ContainerMain";
  static final String SERVE_MAIN = "dev.tune.container.serve.ServeMain";

  public EntryPoints {
    Objects.requireNonNull(trainMain, "trainMain");
    Objects.requireNonNull(serveMain, "serveMain");
  }

  /** The container's {@code ContainerMain} for both. */
  public static EntryPoints container() {
    return new EntryPoints(CONTAINER_MAIN, isPresent(CONTAINER_MAIN) ? CONTAINER_MAIN : SERVE_MAIN);
  }

  /** The same, with training run by {@code mainClass}. */
  public EntryPoints withTrainMain(String mainClass) {
    return new EntryPoints(mainClass, serveMain);
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, EntryPoints.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
