package dev.tune.trainer.inference;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import dev.tune.trainer.lora.AdapterConfigJson;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that the directories a command reads are what they should be, before any work. */
public final class ModelDirectories {

  private ModelDirectories() {}

  /**
   * A Hugging Face model directory: it exists and holds {@code config.json}.
   *
   * @param role how the user named it, e.g. "base model"
   * @throws NotFoundException if it does not exist
   * @throws BadInputException if it is not a model directory
   */
  public static Path requireModel(Path dir, String role) {
    requireDirectory(dir, role, "the directory that holds the model's config.json");
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new BadInputException(
          "The " + role + " directory " + dir + " holds no config.json.",
          "Point it at a Hugging Face model directory (config.json, *.safetensors,"
              + " tokenizer.json).");
    }
    return dir;
  }

  /**
   * A peft adapter directory: it exists and holds {@code adapter_config.json}.
   *
   * @throws NotFoundException if it does not exist
   * @throws BadInputException if it is not an adapter directory
   */
  public static Path requireAdapter(Path dir) {
    requireDirectory(dir, "adapter", "the directory that holds adapter_config.json");
    if (!Files.isRegularFile(dir.resolve(AdapterConfigJson.FILE_NAME))) {
      throw new BadInputException(
          "The adapter directory " + dir + " holds no " + AdapterConfigJson.FILE_NAME + ".",
          "Point it at a LoRA adapter saved by tune or by peft's save_pretrained"
              + " (adapter_config.json and adapter_model.safetensors).");
    }
    return dir;
  }

  private static void requireDirectory(Path dir, String role, String what) {
    if (!Files.isDirectory(dir)) {
      throw new NotFoundException(
          "The "
              + role
              + " directory "
              + dir
              + " does not exist"
              + (Files.exists(dir) ? " (it is a file)." : "."),
          "Check the path; it must be " + what + ".");
    }
  }
}
