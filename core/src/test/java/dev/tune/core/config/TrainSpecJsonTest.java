package dev.tune.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainSpecJsonTest {
  private static final Path DIR = Path.of("/work/project");

  /** Every key of the train sections set to a value other than its default. */
  private static final String EVERY_KEY =
      EveryKeyYaml.MODEL_QUANTIZATION_LORA
          + """
      data:
        train: gs://data-bucket/train.jsonl
        format: text
        max_seq_length: 2048
        text_field: body
        prompt_template: "### Q:\\n{question}\\n### A:\\n{response}"
        eval_split: 0.2
        packing: true
        truncation_side: left
        drop_long_rows: true
        skip_bad_rows: true
        completion_only_loss: false
      """
          + EveryKeyYaml.TRAINING
          + """
      output:
        name: llama-support
        dir: s3://models-bucket/out
        merge_adapter: false
        sample_prompts: ["What is QLoRA?", "Say \\"hi\\" in French.\\nBriefly."]
      """;

  private final TuneConfigLoader loader = TuneConfigLoader.create().withEnvironment(Map.of());

  private TrainSpec everyKey() {
    return loader.parse(EVERY_KEY, "tune.yaml", DIR).trainSpec();
  }

  private static TrainSpec withoutToken(TrainSpec spec) {
    return spec.toBuilder().model(BaseModel.of(spec.model().source())).build();
  }

  @Test
  void everyKeySurvivesTheTree() {
    TrainSpec spec = everyKey();

    TrainSpec again = TrainSpecJson.read(TrainSpecJson.write(spec));

    assertThat(again).isEqualTo(withoutToken(spec));
    assertThat(again.output().samplePrompts())
        .containsExactly("What is QLoRA?", "Say \"hi\" in French.\nBriefly.");
    assertThat(again.data().promptTemplate()).contains("### Q:\n{question}\n### A:\n{response}");
  }

  @Test
  void everyKeySurvivesTheFlatHyperparameters() {
    TrainSpec spec = everyKey();

    Map<String, String> flat = TrainSpecJson.toFlat(spec);

    assertThat(flat)
        .containsEntry("training.learning_rate", "2.0E-4")
        .containsEntry("lora.target_modules", "[\"q_proj\",\"k_proj\",\"v_proj\",\"o_proj\"]")
        .containsEntry("quantization.bnb_4bit_quant_type", "nf4")
        .containsEntry("output.merge_adapter", "false")
        .doesNotContainKey("model.token");
    assertThat(flat.values()).noneMatch(v -> v.contains("hf_literal_token"));
    assertThat(TrainSpecJson.fromFlat(flat)).isEqualTo(withoutToken(spec));
  }

  @Test
  void theTreeHasTheKeysOfTuneYamlAndNoToken() {
    ObjectNode tree = TrainSpecJson.write(everyKey());

    assertThat(tree.properties())
        .extracting(Map.Entry::getKey)
        .containsExactly("model", "quantization", "lora", "data", "training", "output");
    assertThat(tree.get("model").has("token")).isFalse();
    assertThat(tree.toString()).doesNotContain("hf_literal_token");
    assertThat(tree.get("output").get("sample_prompts")).hasSize(2);
  }

  @Test
  void defaultsAndShorthandsRoundTrip() {
    TrainSpec spec =
        loader
            .parse(
                """
                model: {base: hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main}
                quantization: none
                lora: {target_modules: all-linear}
                data: {train: data/train.jsonl, eval: hf://datasets/org/chats@v1/eval.jsonl}
                output: {name: tiny}
                """,
                "tune.yaml",
                DIR)
            .trainSpec();

    assertThat(TrainSpecJson.read(TrainSpecJson.write(spec))).isEqualTo(spec);
    assertThat(TrainSpecJson.fromFlat(TrainSpecJson.toFlat(spec))).isEqualTo(spec);
    assertThat(TrainSpecJson.toFlat(spec)).containsEntry("quantization", "none");
    assertThat(spec.output().samplePrompts()).isEmpty();
    assertThat(TrainSpecJson.read(TrainSpecJson.write(spec)).data().eval())
        .isEqualTo(spec.data().eval())
        .isPresent();
  }

  @Test
  void theEffectiveConfigTreeReadsAsATrainSpec() {
    TuneConfig config =
        loader.parse(
            EVERY_KEY + "provider: {name: local}\ndeploy: {min_replicas: 2}\n", "tune.yaml", DIR);

    TrainSpec spec = TrainSpecJson.read(config.toJsonTree());

    assertThat(spec).isEqualTo(withoutToken(config.trainSpec()));
  }

  @Test
  void badValuesAreReportedWithTheirKeyPath() {
    Map<String, String> flat = new HashMap<>(TrainSpecJson.toFlat(everyKey()));
    flat.put("training.learning_rate", "fast");
    flat.put("lora.r", "0");
    flat.put("training.lerning_rate", "1e-4");

    assertThatThrownBy(() -> TrainSpecJson.fromFlat(flat))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(
            e ->
                assertThat(((InvalidConfigException) e).problems())
                    .extracting(ConfigProblem::path)
                    .containsExactlyInAnyOrder(
                        "training.learning_rate", "lora.r", "training.lerning_rate"));
  }

  @Test
  void keysThatAreBothValueAndSectionAreRejected() {
    Map<String, String> flat = new HashMap<>(TrainSpecJson.toFlat(everyKey()));
    flat.put("quantization", "none");

    assertThatThrownBy(() -> TrainSpecJson.fromFlat(flat))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("quantization");
  }

  @Test
  void aTreeThatIsNotAnObjectIsBadInput() {
    assertThatThrownBy(() -> TrainSpecJson.read(new ObjectMapper().createArrayNode()))
        .isInstanceOf(BadInputException.class);
  }

  @Test
  void readsAFileAndResolvesRelativePathsAgainstIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("spec.json");
    Files.writeString(
        file,
        """
        {"model": {"base": "model"}, "data": {"train": "data/train.jsonl"},
         "output": {"name": "tiny", "sample_prompts": ["Hi"]}}
        """);

    TrainSpec spec = TrainSpecJson.read(file);

    assertThat(spec.model().source().toString()).isEqualTo("file://" + dir.resolve("model"));
    assertThat(spec.data().train().toString())
        .isEqualTo("file://" + dir.resolve("data/train.jsonl"));
    assertThat(spec.output().samplePrompts()).isEqualTo(List.of("Hi"));
  }

  @Test
  void aMissingFileIsBadInput(@TempDir Path dir) {
    assertThatThrownBy(() -> TrainSpecJson.read(dir.resolve("spec.json")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void blankSamplePromptsAreRejected() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    model: {base: m}
                    data: {train: d.jsonl}
                    output: {name: tiny, sample_prompts: ["ok", "  "]}
                    """,
                    "tune.yaml",
                    DIR))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("output.sample_prompts");
  }
}
