package dev.tune.container;

import dev.tune.container.serve.ServeMain;
import dev.tune.container.train.TrainMain;
import java.util.Arrays;

/**
 * The image's one entrypoint: {@code train ...} or {@code serve ...}, as SageMaker starts an image
 * ({@code IMAGE train}, {@code IMAGE serve}) and as the local provider starts child processes.
 */
public final class ContainerMain {
  static final String USAGE = "usage: ContainerMain train|serve [OPTIONS]";

  private ContainerMain() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    switch (args[0]) {
      case "train" -> TrainMain.main(Arrays.copyOfRange(args, 1, args.length));
      case "serve" -> ServeMain.main(args);
      default -> {
        System.err.println("unknown command '" + args[0] + "'; " + USAGE);
        System.exit(2);
      }
    }
  }
}
