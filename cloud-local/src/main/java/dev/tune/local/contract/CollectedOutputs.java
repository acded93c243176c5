package dev.tune.local.contract;

import dev.tune.container.contract.ContractTrainingResult;
import dev.tune.container.serve.Contract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Moves what a contract run left in the provider's output places to where the local provider's own
 * layout has them, {@code output/model}, {@code output/adapter}, {@code output/metrics.json},
 * {@code output/report.html} and {@code output/logs}, so the registry and {@code tune run} find a
 * contract run's model like any local one's. Moved, not copied: a merged model can be gigabytes.
 */
final class CollectedOutputs {
  private CollectedOutputs() {}

  static void collect(Contract contract, ContractTrainingResult result, Path outputDir)
      throws IOException {
    Map<Path, String> moves = new LinkedHashMap<>();
    moves.put(result.modelDir(), "model");
    moves.put(result.adapterDir(), "adapter");
    moves.put(result.metricsFile(), "metrics.json");
    moves.put(result.metricsFile().resolveSibling("report.html"), "report.html");
    moves.put(tensorBoardDir(contract, result.jobDir()), "logs");
    Files.createDirectories(outputDir);
    for (Map.Entry<Path, String> move : moves.entrySet()) {
      Path from = move.getKey();
      // SageMaker's model directory exists from the start; an empty one holds nothing to move.
      if (Files.isRegularFile(from) || (Files.isDirectory(from) && !isEmpty(from))) {
        Files.move(from, outputDir.resolve(move.getValue()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Where each contract's entrypoint writes TensorBoard event files. */
  private static Path tensorBoardDir(Contract contract, Path jobDir) {
    return switch (contract) {
      case SAGEMAKER -> jobDir.resolve("output/tensorboard");
      case VERTEX -> jobDir.resolve("logs");
    };
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }
}
