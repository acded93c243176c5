package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.trainer.loss.TokenLossSum;
import java.util.ArrayList;
import java.util.List;

/**
 * The mean token loss of evaluation examples: batches in the given order, no dropout, nothing
 * recorded; the loss sums and token counts are accumulated on the device and read once at the end,
 * so the result is the mean over all counted tokens.
 */
final class Evaluation {

  private Evaluation() {}

  static EvalResult run(QloraModel model, List<TrainingExample> examples, int batchSize) {
    long start = System.nanoTime();
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("there are no evaluation examples to evaluate");
    }
    long padId = PaddedBatch.padId(model.model().config());
    TrainingGraph graph = new TrainingGraph(model.model(), false, new StepSeeds(0));
    List<PaddedBatch> batches = new ArrayList<>();
    for (int from = 0; from < examples.size(); from += batchSize) {
      batches.add(
          PaddedBatch.of(
              examples.subList(from, Math.min(from + batchSize, examples.size())), padId));
    }
    boolean wasTraining = model.lora().adapters().values().stream().anyMatch(a -> a.isTraining());
    model.lora().setTraining(false);
    try (NDManager manager = model.model().manager().newSubManager()) {
      // float64 sums: a float32 token count stops being exact past 2^24 tokens
      NDArray lossSum = manager.zeros(new Shape(), DataType.FLOAT64);
      NDArray tokens = manager.zeros(new Shape(), DataType.FLOAT64);
      for (List<PaddedBatch> chunk : BatchUpload.chunks(batches, BatchUpload.BUDGET_BYTES)) {
        try (BatchUpload upload = new BatchUpload(chunk, manager)) {
          for (int i = 0; i < upload.size(); i++) {
            try (NDManager step = manager.newSubManager();
                NDScope scope = new NDScope()) {
              scope.suppressNotUsedWarning();
              TokenLossSum loss = graph.loss(upload.device(i, step));
              Autograd.unrecorded(
                  () -> {
                    lossSum.addi(loss.sum().toType(DataType.FLOAT64, false));
                    tokens.addi(loss.count().toType(DataType.FLOAT64, false));
                  });
            }
          }
        }
      }
      double sum = lossSum.getDouble();
      long count = (long) tokens.getDouble();
      return new EvalResult(sum / count, count, examples.size(), (System.nanoTime() - start) / 1e9);
    } finally {
      model.lora().setTraining(wasTraining);
    }
  }
}
