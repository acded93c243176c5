package dev.tune.trainer.export;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.trainer.inference.ModelDirectories;
import dev.tune.trainer.lora.LoraAdapter;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.safetensors.CheckpointReader;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import dev.tune.trainer.safetensors.TensorInfo;
import dev.tune.trainer.safetensors.TensorSource;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Folds a LoRA adapter into its base model and writes the result as a plain Hugging Face model
 * directory, like peft's {@code merge_and_unload()} followed by transformers' {@code
 * save_pretrained} on a base reloaded in its original precision.
 *
 * <p>Tensors stream one at a time from the base checkpoint to the output shards: an adapted
 * projection becomes {@code W + (B·A)·scaling} computed in float32 and cast once to the output
 * dtype; other floating tensors are cast (or copied byte for byte when the dtype stays); the rest
 * is copied. A tied {@code lm_head} is not written, as transformers leaves it out. The directory is
 * assembled under a temporary name beside the output and renamed into place when complete.
 */
public final class ModelMerger {

  private static final Set<SafetensorsDtype> FLOATING =
      EnumSet.of(
          SafetensorsDtype.F64, SafetensorsDtype.F32, SafetensorsDtype.F16, SafetensorsDtype.BF16);

  private ModelMerger() {}

  /** {@link #merge(MergeRequest, MergeProgress.Listener)} without progress events. */
  public static MergeResult merge(MergeRequest request) {
    return merge(request, MergeProgress.Listener.none());
  }

  /**
   * Merges and writes the model.
   *
   * @throws dev.tune.core.error.NotFoundException if the base or adapter directory is missing
   * @throws BadInputException if a directory is not what it should be, or the adapter does not fit
   *     the base model (another architecture or other shapes)
   * @throws dev.tune.core.error.ConflictException if the output is a non-empty directory and
   *     overwriting was not asked for
   */
  public static MergeResult merge(MergeRequest request, MergeProgress.Listener listener) {
    long start = System.nanoTime();
    Path baseDir = ModelDirectories.requireModel(request.baseDir(), "base model");
    Path adapterDir = ModelDirectories.requireAdapter(request.adapterDir());
    requireSeparate(request.outputDir(), baseDir, "base model");
    requireSeparate(request.outputDir(), adapterDir, "adapter");
    ObjectNode configJson = CompanionFiles.readConfig(baseDir);
    ModelConfig config = badInput(() -> ModelConfig.read(baseDir), baseDir, "the base model");
    requireUnquantized(configJson, baseDir);

    try (StagedDirectory staged = StagedDirectory.create(request.outputDir(), request.overwrite());
        NDManager manager = NDManager.newBaseManager()) {
      List<String> weightFiles = new ArrayList<>();
      ExportDtype dtype;
      List<String> merged;
      int tensorCount;
      long bytes;
      try (CheckpointReader checkpoint =
          badInput(() -> CheckpointReader.open(baseDir), baseDir, "the base model")) {
        dtype = request.dtype().orElseGet(() -> baseDtype(config, checkpoint));
        PeftAdapterDir.Loaded adapter =
            badInput(() -> PeftAdapterDir.load(adapterDir, manager), adapterDir, "the adapter");
        Set<String> linears = LinearModules.of(config, checkpoint);
        checkFits(adapter, linears, config, checkpoint, adapterDir);

        List<TensorSource> plain = new ArrayList<>();
        List<Boolean> mergedFlags = new ArrayList<>();
        merged = new ArrayList<>();
        for (String name : checkpoint.names()) {
          if (config.tieWordEmbeddings() && name.equals(CausalLm.LM_HEAD + ".weight")) {
            continue;
          }
          String module = LinearModules.moduleOf(name);
          Optional<LoraAdapter> lora =
              Optional.ofNullable(module == null ? null : adapter.adapters().get(module));
          boolean nf4 =
              request.fromQuantized()
                  && module != null
                  && linears.contains(module)
                  && !module.equals(CausalLm.LM_HEAD);
          plain.add(source(checkpoint, name, dtype, lora, nf4, manager));
          mergedFlags.add(lora.isPresent());
          lora.ifPresent(a -> merged.add(module));
        }
        tensorCount = plain.size();
        bytes = plain.stream().mapToLong(TensorSource::byteLength).sum();
        ReportingTensorSource.Tally tally =
            new ReportingTensorSource.Tally(listener, tensorCount, bytes);
        List<TensorSource> reporting = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
          reporting.add(new ReportingTensorSource(plain.get(i), mergedFlags.get(i), tally));
        }
        SafetensorsWriter writer =
            SafetensorsWriter.builder().maxShardBytes(request.maxShardBytes()).build();
        for (Path file : writer.writeCheckpoint(staged.path(), reporting)) {
          weightFiles.add(file.getFileName().toString());
        }
      } catch (UncheckedIOException e) {
        throw new BadInputException(
            "Cannot write the merged model to " + staged.path() + ": " + e.getMessage(),
            "Check that "
                + staged.target().getParent()
                + " is writable and has room for the model.",
            e);
      }
      List<String> copied = CompanionFiles.copy(baseDir, staged.path());
      CompanionFiles.writeConfig(configJson, dtype, staged.path());
      staged.commit();
      merged.sort(null);
      return new MergeResult(
          staged.target(),
          dtype,
          merged,
          tensorCount,
          bytes,
          weightFiles,
          copied,
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private static TensorSource source(
      CheckpointReader checkpoint,
      String name,
      ExportDtype dtype,
      Optional<LoraAdapter> lora,
      boolean nf4,
      NDManager manager) {
    SafetensorsDtype stored = checkpoint.info(name).dtype();
    boolean floating = FLOATING.contains(stored);
    if (lora.isEmpty() && !nf4 && (!floating || stored == dtype.safetensorsDtype())) {
      return TensorSource.copyOf(checkpoint, name);
    }
    return new MergedTensor(checkpoint, name, dtype.safetensorsDtype(), lora, nf4, manager);
  }

  /**
   * The adapter must adapt exactly the layers its {@code target_modules} select in this model, each
   * with the layer's shape; otherwise it was trained on another model.
   */
  private static void checkFits(
      PeftAdapterDir.Loaded adapter,
      Set<String> linears,
      ModelConfig config,
      CheckpointReader checkpoint,
      Path adapterDir) {
    SortedMap<String, LoraAdapter> adapters = adapter.adapters();
    String fix =
        "Use the base model the adapter was trained on (its adapter_config.json may name it in"
            + " base_model_name_or_path).";
    List<String> unknown = adapters.keySet().stream().filter(m -> !linears.contains(m)).toList();
    if (!unknown.isEmpty()) {
      throw new BadInputException(
          "The adapter in "
              + adapterDir
              + " adapts "
              + unknown
              + ", which the base model ("
              + config.architecture().className()
              + ") does not have; it was trained on another model.",
          fix);
    }
    List<String> selected;
    try {
      selected = adapter.config().targetModules().select(linears);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(adapterDir + ": " + e.getMessage(), fix, e);
    }
    if (!new TreeSet<>(selected).equals(adapters.keySet())) {
      throw new BadInputException(
          "The adapter in "
              + adapterDir
              + " holds weights for "
              + adapters.keySet()
              + " but its target_modules "
              + adapter.config().targetModules()
              + " select "
              + new TreeSet<>(selected)
              + " in the base model; it was trained on another model.",
          fix);
    }
    for (Map.Entry<String, LoraAdapter> e : adapters.entrySet()) {
      String module = e.getKey();
      LoraAdapter lora = e.getValue();
      if (module.equals(CausalLm.LM_HEAD) && config.tieWordEmbeddings()) {
        throw new BadInputException(
            "The adapter adapts lm_head, whose weight is tied to the input embeddings in this"
                + " model; merging would change the embeddings too.",
            "Train the adapter without lm_head in target_modules, or untie the embeddings first.");
      }
      TensorInfo info = checkpoint.info(module + ".weight");
      long[] expected = {lora.outFeatures(), lora.inFeatures()};
      if (!Arrays.equals(info.shape(), expected)) {
        throw new BadInputException(
            "The adapter's "
                + module
                + " maps "
                + lora.inFeatures()
                + " to "
                + lora.outFeatures()
                + " features, but the base model's weight has shape "
                + Arrays.toString(info.shape())
                + "; it was trained on another model.",
            fix);
      }
    }
  }

  /** The dtype config.json names, else the dtype of the checkpoint's first floating tensor. */
  private static ExportDtype baseDtype(ModelConfig config, CheckpointReader checkpoint) {
    Optional<ExportDtype> named = config.dtype().flatMap(ExportDtype::fromName);
    if (named.isPresent()) {
      return named.get();
    }
    for (String name : checkpoint.names()) {
      Optional<ExportDtype> stored =
          switch (checkpoint.info(name).dtype()) {
            case BF16 -> Optional.of(ExportDtype.BF16);
            case F16 -> Optional.of(ExportDtype.FP16);
            case F32, F64 -> Optional.of(ExportDtype.FP32);
            default -> Optional.empty();
          };
      if (stored.isPresent()) {
        return stored.get();
      }
    }
    return ExportDtype.FP32;
  }

  private static void requireUnquantized(ObjectNode configJson, Path baseDir) {
    JsonNode quantization = configJson.get("quantization_config");
    if (quantization != null && !quantization.isNull()) {
      throw new BadInputException(
          "The base model in "
              + baseDir
              + " is saved quantized (config.json has quantization_config); merging needs its"
              + " original weights.",
          "Point the base at the original-precision model; to merge as QLoRA training saw the"
              + " weights, ask for a merge from the quantized weights (--from-quantized).");
    }
  }

  private static void requireSeparate(Path output, Path input, String role) {
    Path out = output.toAbsolutePath().normalize();
    Path in = input.toAbsolutePath().normalize();
    if (out.startsWith(in) || in.startsWith(out)) {
      throw new BadInputException(
          "The output directory " + output + " overlaps the " + role + " directory " + input + ".",
          "Write the merged model to a directory of its own.");
    }
  }

  private static <T> T badInput(Supplier<T> read, Path dir, String what) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          "Cannot read " + what + " in " + dir + ": " + e.getMessage(),
          "Check that "
              + dir
              + " holds a complete, supported model or adapter as saved by"
              + " transformers or peft.",
          e);
    }
  }
}
