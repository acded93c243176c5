package dev.tune.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The mean next-token cross-entropy of a model on a set of texts, as transformers computes a causal
 * LM's loss with {@code labels = input_ids}, pooled over all records: each text is tokenized as
 * {@code tok(text)} does (special tokens included), every token after the first is predicted from
 * the ones before it, and the loss is the sum of the negative log-likelihoods over the number of
 * predicted tokens.
 *
 * <p>Records are batched by length and right-padded with an attention mask; padding predicts
 * nothing, so batching changes only the float rounding, not what is computed.
 */
public final class Evaluator {

  private final InferenceModel model;
  private final int batchSize;

  /**
   * @param model the model to evaluate; the caller closes it
   * @param batchSize records per forward pass
   */
  public Evaluator(InferenceModel model, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    this.model = model;
    this.batchSize = batchSize;
  }

  /** Loads the model (and adapter) of {@code request}, evaluates its data file and closes it. */
  public static EvalResult evaluate(EvalRequest request) {
    List<String> texts = JsonlTexts.read(request.dataFile());
    try (InferenceModel model = InferenceModel.load(request.modelDir(), request.adapterDir())) {
      return new Evaluator(model, request.batchSize()).evaluate(texts);
    }
  }

  /** The loss over {@code texts}. */
  public EvalResult evaluate(List<String> texts) {
    ModelTokenizer tokenizer = model.tokenizer();
    List<long[]> records = new ArrayList<>(texts.size());
    for (String text : texts) {
      records.add(tokenizer.encode(text));
    }
    // longest first: batches of similar lengths pad little, and memory peaks at once if at all
    List<long[]> ordered =
        records.stream()
            .filter(ids -> ids.length >= 2)
            .sorted(Comparator.comparingInt((long[] ids) -> ids.length).reversed())
            .toList();
    double sum = 0;
    long predicted = 0;
    for (int start = 0; start < ordered.size(); start += batchSize) {
      List<long[]> batch = ordered.subList(start, Math.min(start + batchSize, ordered.size()));
      sum += negativeLogLikelihood(batch);
      for (long[] ids : batch) {
        predicted += ids.length - 1;
      }
    }
    if (predicted == 0) {
      throw new BadInputException(
          "No record has two or more tokens, so there is nothing to predict.",
          "Evaluate on texts longer than one token.");
    }
    double loss = sum / predicted;
    return new EvalResult(loss, Math.exp(loss), predicted, texts.size());
  }

  /** The summed negative log-likelihood of every token after the first, over one batch. */
  private double negativeLogLikelihood(List<long[]> batch) {
    CausalLm lm = model.model();
    long pad = lm.config().specialTokenIds().pad().orElse(0);
    int rows = batch.size();
    int width = batch.get(0).length;
    long[] ids = new long[rows * width];
    long[] mask = new long[rows * width];
    for (int r = 0; r < rows; r++) {
      long[] record = batch.get(r);
      for (int t = 0; t < width; t++) {
        boolean real = t < record.length;
        ids[r * width + t] = real ? record[t] : pad;
        mask[r * width + t] = real ? 1 : 0;
      }
    }
    try (NDManager scratch = lm.manager().newSubManager()) {
      NDArray input = scratch.create(ids, new Shape(rows, width));
      NDArray attention = scratch.create(mask, new Shape(rows, width));
      NDArray logits = lm.logits(input, attention).toType(DataType.FLOAT32, false);
      NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
      NDArray targets = input.get(":, 1:").toDevice(logProbs.getDevice(), false).expandDims(-1);
      float[] picked = logProbs.gather(targets, -1).squeeze(-1).toFloatArray();
      // sum on the host in double: the pooled mean over many records keeps its precision
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        int predicted = batch.get(r).length - 1;
        for (int t = 0; t < predicted; t++) {
          sum -= picked[r * (width - 1) + t];
        }
      }
      return sum;
    }
  }
}
