package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.trainer.safetensors.CheckpointReader;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import dev.tune.trainer.safetensors.SafetensorsFile;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tune merge}, {@code tune eval} and {@code tune generate} run in-process on the trainer's
 * transformers fixtures: results on stdout, progress on stderr, failures as exit codes.
 */
class ModelCommandsTest {

  private static final Path FIXTURES =
      Path.of("..", "trainer", "src", "test", "resources", "fixtures", "hf")
          .toAbsolutePath()
          .normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static String fixture(String name) {
    return FIXTURES.resolve(name).toString();
  }

  private static long[] reference(String model, String name) {
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile file =
            SafetensorsFile.open(FIXTURES.resolve(model).resolve("reference.safetensors"))) {
      return file.load(name, m).toLongArray();
    }
  }

  private static double referenceDouble(String model, String name) {
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile file =
            SafetensorsFile.open(FIXTURES.resolve(model).resolve("reference.safetensors"))) {
      return file.load(name, m).getDouble(0);
    }
  }

  // --- merge ---

  @Test
  void mergeWritesAModelDirectoryAndReportsIt() throws IOException {
    Path out = tmp.resolve("merged");
    CliRun run =
        CliRun.run(
            "merge",
            "--base",
            fixture("mistral"),
            "--adapter",
            fixture("mistral-lora"),
            "--out",
            out.toString(),
            "--dtype",
            "bf16",
            "-o",
            "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("output_dir").asText()).isEqualTo(out.toAbsolutePath().toString());
    assertThat(json.get("dtype").asText()).isEqualTo("bf16");
    assertThat(json.get("merged_modules")).hasSize(4);
    assertThat(json.get("weight_files").get(0).asText()).isEqualTo("model.safetensors");
    assertThat(json.get("copied_files").toString()).contains("tokenizer.json");
    assertThat(run.err()).contains("merge: 100%");
    assertThat(JSON.readTree(out.resolve("config.json").toFile()).get("dtype").asText())
        .isEqualTo("bfloat16");
    try (CheckpointReader merged = CheckpointReader.open(out)) {
      assertThat(merged.info("model.layers.0.self_attn.q_proj.weight").dtype())
          .isEqualTo(SafetensorsDtype.BF16);
      assertThat(merged.contains("lm_head.weight")).as("tied head left out").isFalse();
    }
  }

  @Test
  void mergeInTextModeSaysWhatItWroteAndShardsOnRequest() {
    Path out = tmp.resolve("merged");
    CliRun run =
        CliRun.run(
            "merge",
            "--base",
            fixture("llama"),
            "--adapter",
            fixture("llama-lora"),
            "--out",
            out.toString(),
            "--max-shard-size",
            "200KB",
            "--verbose");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith("Merged 14 modules of ")
        .contains("wrote " + out.toAbsolutePath())
        .contains("(fp32, 21 tensors");
    assertThat(run.err()).contains("(adapter merged)").contains("[21/21]");
    assertThat(out.resolve(CheckpointReader.INDEX_FILE)).exists();
  }

  @Test
  void mergeRefusesAMissingBaseWithNotFound() {
    CliRun text =
        CliRun.run(
            "merge",
            "--base",
            tmp.resolve("nope").toString(),
            "--adapter",
            fixture("llama-lora"),
            "--out",
            tmp.resolve("out").toString());
    CliRun json =
        CliRun.run(
            "merge",
            "--base",
            tmp.resolve("nope").toString(),
            "--adapter",
            fixture("llama-lora"),
            "--out",
            tmp.resolve("out").toString(),
            "-o",
            "json");

    assertThat(text.exitCode()).isEqualTo(4);
    assertThat(text.out()).isEmpty();
    assertThat(text.err()).contains("error: The base model directory").contains("\nfix: ");
    assertThat(json.exitCode()).isEqualTo(4);
    assertThat(json.json().at("/error/kind").asText()).isEqualTo("not_found");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void mergeRefusesAnAdapterOfAnotherArchitecture() {
    CliRun run =
        CliRun.run(
            "merge",
            "--base",
            fixture("llama"),
            "--adapter",
            fixture("falcon-mq-lora"),
            "--out",
            tmp.resolve("out").toString(),
            "-o",
            "json");

    assertThat(run.exitCode()).isEqualTo(2);
    JsonNode error = run.json().get("error");
    assertThat(error.get("kind").asText()).isEqualTo("bad_input");
    assertThat(error.get("message").asText()).contains("trained on another model");
    assertThat(error.get("fix").asText()).contains("base model the adapter was trained on");
  }

  @Test
  void mergeKeepsANonEmptyOutputUnlessForced() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    String[] args = {
      "merge",
      "--base",
      fixture("llama"),
      "--adapter",
      fixture("llama-lora"),
      "--out",
      out.toString()
    };

    CliRun refused = CliRun.run(args);
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("not empty").contains("--force");
    assertThat(out.resolve("notes.txt")).exists();

    List<String> forced = new ArrayList<>(Arrays.asList(args));
    forced.add("--force");
    assertThat(CliRun.run(forced.toArray(String[]::new)).exitCode()).isZero();
    assertThat(out.resolve("notes.txt")).doesNotExist();
    assertThat(out.resolve("model.safetensors")).exists();
  }

  @Test
  void mergeRefusesBadOptionValues() {
    String[] common = {
      "merge",
      "--base",
      fixture("llama"),
      "--adapter",
      fixture("llama-lora"),
      "--out",
      tmp.resolve("out").toString()
    };
    CliRun dtype = CliRun.run(concat(common, "--dtype", "int4"));
    CliRun size = CliRun.run(concat(common, "--max-shard-size", "lots"));
    CliRun missing = CliRun.run("merge", "--base", fixture("llama"));

    assertThat(dtype.exitCode()).isEqualTo(2);
    assertThat(dtype.err()).contains("Unknown weight dtype 'int4'").contains("bf16, fp16 or fp32");
    assertThat(size.exitCode()).isEqualTo(2);
    assertThat(size.err()).contains("'lots' is not a size");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required options").contains("tune merge --help");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  // --- eval ---

  @Test
  void evalPrintsThePooledLossOfTheFixtureTexts() throws IOException {
    JsonNode texts =
        JSON.readTree(FIXTURES.resolve("llama/reference-texts.json").toFile()).get("eval_texts");
    List<String> lines = new ArrayList<>();
    texts.forEach(t -> lines.add(JSON.createObjectNode().put("text", t.asText()).toString()));
    Path data = Files.write(tmp.resolve("eval.jsonl"), lines);

    CliRun json =
        CliRun.run("eval", "--model", fixture("llama"), "--data", data.toString(), "-o", "json");
    CliRun text =
        CliRun.run(
            "eval", "--model", fixture("llama"), "--data", data.toString(), "--batch-size", "2");

    assertThat(json.exitCode()).as(json.err()).isZero();
    double expected = referenceDouble("llama", "eval_mean_loss");
    JsonNode result = json.json();
    assertThat(result.get("loss").asDouble()).isCloseTo(expected, within(1e-5 * expected));
    assertThat(result.get("perplexity").asDouble())
        .isCloseTo(Math.exp(expected), within(1e-4 * Math.exp(expected)));
    assertThat(result.get("tokens").asLong()).isEqualTo(reference("llama", "eval_token_count")[0]);
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).startsWith("loss 6.9593").contains("tokens 101  (3 records)");
  }

  @Test
  void evalNamesTheBadLineOfTheData() throws IOException {
    Path data =
        Files.writeString(tmp.resolve("data.jsonl"), "{\"text\": \"ok\"}\n{\"txt\": \"no\"}\n");

    CliRun run = CliRun.run("eval", "--model", fixture("llama"), "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("error: " + data + ":2: no \"text\" field (it has [txt])")
        .contains("fix: Write one JSON object per line");
  }

  // --- generate ---

  @Test
  void generateGreedyPrintsTheNewTokensOfTransformersGenerate() {
    long[] prompt = reference("falcon-mq", "prompt_ids");
    long[] greedy = reference("falcon-mq", "greedy_ids");
    // the fixture prompt is <s> + "### Instruction:\nName"'s first tokens; decode them as text
    String text = promptText("falcon-mq");

    CliRun run =
        CliRun.run(
            "generate",
            "--model",
            fixture("falcon-mq"),
            "--prompt",
            text,
            "--temperature",
            "0",
            "--max-new-tokens",
            "10",
            "-o",
            "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    List<Long> ids = new ArrayList<>();
    json.get("token_ids").forEach(id -> ids.add(id.asLong()));
    assertThat(ids)
        .containsExactlyElementsOf(
            Arrays.stream(Arrays.copyOfRange(greedy, prompt.length, greedy.length))
                .boxed()
                .toList());
    assertThat(json.get("finish_reason").asText()).isEqualTo("length");
    assertThat(json.get("text").isTextual()).isTrue();
  }

  @Test
  void generateWithASeedRepeatsItselfAndTextModePrintsOnlyTheText() {
    String[] args = {
      "generate",
      "--model",
      fixture("llama"),
      "--adapter",
      fixture("llama-lora"),
      "--prompt",
      "Once",
      "--temperature",
      "0.9",
      "--top-p",
      "0.95",
      "--top-k",
      "20",
      "--seed",
      "42",
      "--max-new-tokens",
      "8"
    };
    CliRun first = CliRun.run(concat(args, "-o", "json"));
    CliRun second = CliRun.run(concat(args, "-o", "json"));
    CliRun text = CliRun.run(args);

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(second.json()).isEqualTo(first.json());
    assertThat(first.json().get("token_ids")).hasSize(8);
    assertThat(text.out()).isEqualTo(first.json().get("text").asText() + "\n");
  }

  @Test
  void generateChatAppliesTheTemplate() {
    CliRun plain =
        CliRun.run(
            "generate",
            "--model",
            fixture("llama"),
            "--prompt",
            "Hi",
            "--temperature",
            "0",
            "--max-new-tokens",
            "4",
            "--verbose");
    CliRun chat =
        CliRun.run(
            "generate",
            "--model",
            fixture("llama"),
            "--prompt",
            "Hi",
            "--temperature",
            "0",
            "--max-new-tokens",
            "4",
            "--verbose",
            "--chat");

    assertThat(chat.exitCode()).as(chat.err()).isZero();
    // <s>Hi is 2-3 tokens; the chatml rendering around it is many more
    assertThat(promptTokens(plain.err())).isLessThan(5);
    assertThat(promptTokens(chat.err())).isGreaterThan(10);
  }

  @Test
  void generateRefusesBadSettings() {
    CliRun run =
        CliRun.run("generate", "--model", fixture("llama"), "--prompt", "x", "--top-p", "0");
    CliRun missing =
        CliRun.run("generate", "--model", tmp.resolve("none").toString(), "--prompt", "x");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("top_p");
    assertThat(missing.exitCode()).isEqualTo(4);
  }

  private static int promptTokens(String err) {
    String marker = "generate: ";
    int at = err.indexOf(marker);
    assertThat(at).as(err).isNotNegative();
    String rest = err.substring(at + marker.length());
    return Integer.parseInt(rest.substring(0, rest.indexOf(' ')));
  }

  private static String promptText(String model) {
    try (ModelTokenizer tokenizer = ModelTokenizer.load(FIXTURES.resolve(model))) {
      return tokenizer.decode(reference(model, "prompt_ids"), true);
    }
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
