package dev.tune.cli;

import dev.tune.core.error.BadInputException;
import dev.tune.trainer.eval.EvalRequest;
import dev.tune.trainer.eval.EvalResult;
import dev.tune.trainer.eval.Evaluator;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune eval}: the loss and perplexity of a model on a JSON Lines file of texts. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Compute the mean next-token loss and the perplexity of a model, optionally",
      "with a LoRA adapter, on a JSON Lines file of {\"text\": ...} records. Each text",
      "is tokenized as the model's tokenizer does by default (special tokens",
      "included); the loss is the mean over every predicted token of every record."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune eval --model ./merged --data eval.jsonl",
      "  tune eval --model ./base --adapter ./adapter --data eval.jsonl -o json"
    })
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "The Hugging Face model directory.")
  Path model;

  @Option(
      names = "--adapter",
      paramLabel = "DIR",
      description = "A LoRA adapter to apply, unmerged.")
  Path adapter;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "FILE",
      description = "JSON Lines: one {\"text\": ...} object per line.")
  Path data;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "" + EvalRequest.DEFAULT_BATCH_SIZE,
      description = "Records per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() {
    Printer printer = TuneCommand.of(spec).printer();
    if (batchSize < 1) {
      throw new BadInputException(
          "--batch-size must be at least 1, got " + batchSize + ".",
          "Pass a positive number of records per forward pass.");
    }
    EvalResult result =
        Evaluator.evaluate(
            EvalRequest.builder()
                .modelDir(model)
                .adapterDir(adapter)
                .dataFile(data)
                .batchSize(batchSize)
                .build());
    printer.result(
        String.format(
            Locale.ROOT,
            "loss %.6f  perplexity %.4f  tokens %d  (%d records)",
            result.loss(),
            result.perplexity(),
            result.tokens(),
            result.records()),
        () ->
            Printer.object()
                .put("loss", result.loss())
                .put("perplexity", result.perplexity())
                .put("tokens", result.tokens()));
    return 0;
  }
}
