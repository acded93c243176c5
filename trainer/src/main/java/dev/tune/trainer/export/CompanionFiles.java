package dev.tune.trainer.export;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files of a model directory besides its weights: {@code config.json} (rewritten with the
 * output dtype) and everything else at the top level (tokenizer files, chat template, generation
 * config, README...), copied as they are. Weight files in any format are left behind: the merged
 * weights replace them.
 */
final class CompanionFiles {

  static final String CONFIG = "config.json";

  private static final List<String> WEIGHT_SUFFIXES =
      List.of(
          ".safetensors",
          ".safetensors.index.json",
          ".bin",
          ".bin.index.json",
          ".pt",
          ".pth",
          ".ckpt",
          ".h5",
          ".msgpack",
          ".gguf",
          ".onnx");

  private static final JsonMapper JSON =
      JsonMapper.builder()
          // keep every number of config.json as written: no float rounding on the way through
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private CompanionFiles() {}

  /** Whether the file named {@code name} holds weights (of this or another format). */
  static boolean isWeightFile(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return WEIGHT_SUFFIXES.stream().anyMatch(lower::endsWith);
  }

  /**
   * Copies every top-level regular file of {@code from} except {@code config.json}, weight files
   * and hidden files into {@code to}.
   *
   * @return the names copied, sorted
   */
  static List<String> copy(Path from, Path to) {
    List<String> copied = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(from)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!Files.isRegularFile(entry)
            || name.startsWith(".")
            || name.equals(CONFIG)
            || isWeightFile(name)) {
          continue;
        }
        Files.copy(entry, to.resolve(name));
        copied.add(name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the files of " + from + " to " + to, e);
    }
    copied.sort(null);
    return copied;
  }

  /** Reads {@code config.json} of a model directory as a JSON object. */
  static ObjectNode readConfig(Path modelDir) {
    Path file = modelDir.resolve(CONFIG);
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root instanceof ObjectNode object) {
        return object;
      }
      throw new BadInputException(
          file + " is not a JSON object.", "Restore the config.json that came with the model.");
    } catch (JacksonException e) {
      throw new BadInputException(
          file + " is not valid JSON: " + e.getOriginalMessage(),
          "Restore the config.json that came with the model.",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Writes {@code config} to {@code dir/config.json} with its dtype set to {@code dtype}: under
   * {@code dtype} and {@code torch_dtype}, whichever it has (both if both; {@code torch_dtype},
   * which every transformers version reads, if neither). Every other field stays as it was, in its
   * order; the layout is transformers' (two-space indent, trailing newline).
   */
  static void writeConfig(ObjectNode config, ExportDtype dtype, Path dir) {
    ObjectNode out = config.deepCopy();
    boolean hasDtype = out.has("dtype");
    boolean hasTorchDtype = out.has("torch_dtype");
    if (hasDtype) {
      out.put("dtype", dtype.torchName());
    }
    if (hasTorchDtype || !hasDtype) {
      out.put("torch_dtype", dtype.torchName());
    }
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    printer.indentArraysWith(new DefaultIndenter("  ", "\n"));
    printer.indentObjectsWith(new DefaultIndenter("  ", "\n"));
    Path file = dir.resolve(CONFIG);
    try {
      Files.writeString(
          file, JSON.writer(printer).writeValueAsString(out) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
