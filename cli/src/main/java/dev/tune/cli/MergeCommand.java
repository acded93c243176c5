package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.trainer.export.ByteSize;
import dev.tune.trainer.export.ExportDtype;
import dev.tune.trainer.export.MergeProgress;
import dev.tune.trainer.export.MergeRequest;
import dev.tune.trainer.export.MergeResult;
import dev.tune.trainer.export.ModelMerger;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune merge}: folds a LoRA adapter into its base model and writes a plain HF model. */
@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    description = {
      "Merge a LoRA adapter into its base model: W + (B @ A) * scaling in float32,",
      "cast once to the output dtype, one tensor at a time. The output is a complete",
      "Hugging Face model directory (safetensors shards, config.json, generation",
      "config, tokenizer files) that loads without peft. It is written beside --out",
      "and moved into place when complete."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune merge --base ./tinyllama --adapter ./run/adapter --out ./merged",
      "  tune merge --base B --adapter A --out M --dtype bf16 --force",
      "  tune merge --base B --adapter A --out M --from-quantized -o json"
    })
final class MergeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--base",
      required = true,
      paramLabel = "DIR",
      description = "The base model directory, in its original precision.")
  Path base;

  @Option(
      names = "--adapter",
      required = true,
      paramLabel = "DIR",
      description = "The LoRA adapter directory (adapter_config.json, adapter_model.safetensors).")
  Path adapter;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where to write the merged model.")
  Path out;

  @Option(
      names = "--dtype",
      paramLabel = "DTYPE",
      description = "bf16, fp16 or fp32. Default: the base model's dtype (config.json).")
  String dtype;

  @Option(
      names = "--max-shard-size",
      paramLabel = "SIZE",
      defaultValue = "5GB",
      description =
          "Largest weight file before splitting, e.g. 5GB, 500MB, 2GiB. Default: ${DEFAULT-VALUE}.")
  String maxShardSize;

  @Option(
      names = "--from-quantized",
      description =
          "Merge into the NF4-quantized-then-dequantized projections, as QLoRA training saw them,"
              + " instead of the original weights.")
  boolean fromQuantized;

  @Option(names = "--force", description = "Replace --out if it exists and is not empty.")
  boolean force;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    MergeRequest request =
        MergeRequest.builder()
            .baseDir(base)
            .adapterDir(adapter)
            .outputDir(out)
            .dtype(dtype == null ? null : ExportDtype.parse(dtype))
            .maxShardBytes(ByteSize.parse(maxShardSize))
            .fromQuantized(fromQuantized)
            .overwrite(force)
            .build();
    MergeResult result = ModelMerger.merge(request, progress(printer, root.verbose()));
    printer.result(
        String.format(
            Locale.ROOT,
            "Merged %d modules of %s into %s: wrote %s (%s, %d tensors, %.1f MB in %d files)"
                + " in %.1f s, %.1f MB/s.",
            result.mergedModules().size(),
            adapter,
            base,
            result.outputDir(),
            result.dtype(),
            result.tensors(),
            result.weightBytes() / 1e6,
            result.weightFiles().size(),
            result.elapsed().toNanos() / 1e9,
            result.megabytesPerSecond()),
        () -> json(result));
    return 0;
  }

  /** A line per tenth of the bytes written; with --verbose, a line per tensor. */
  private static MergeProgress.Listener progress(Printer printer, boolean verbose) {
    int[] lastTenth = {0};
    return p -> {
      if (verbose) {
        printer.note(
            String.format(
                Locale.ROOT,
                "merge: [%d/%d] %s%s",
                p.index(),
                p.tensors(),
                p.tensor(),
                p.merged() ? " (adapter merged)" : ""));
        return;
      }
      int tenth = p.totalBytes() == 0 ? 10 : (int) (10 * p.bytesWritten() / p.totalBytes());
      if (tenth > lastTenth[0]) {
        lastTenth[0] = tenth;
        printer.note(
            String.format(
                Locale.ROOT,
                "merge: %d%% (%.1f of %.1f MB, %d/%d tensors)",
                tenth * 10,
                p.bytesWritten() / 1e6,
                p.totalBytes() / 1e6,
                p.index(),
                p.tensors()));
      }
    };
  }

  private static ObjectNode json(MergeResult result) {
    ObjectNode json = Printer.object();
    json.put("output_dir", result.outputDir().toString());
    json.put("dtype", result.dtype().toString());
    result.mergedModules().forEach(json.putArray("merged_modules")::add);
    json.put("tensors", result.tensors());
    json.put("weight_bytes", result.weightBytes());
    result.weightFiles().forEach(json.putArray("weight_files")::add);
    result.copiedFiles().forEach(json.putArray("copied_files")::add);
    json.put("seconds", result.elapsed().toNanos() / 1e9);
    return json;
  }
}
