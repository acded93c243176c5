package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.JobRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.Schema;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input format trains the bundled quickstart model ({@code examples/quickstart/model}): the
 * data goes through {@link DataPipeline} as {@code data:} in tune.yaml says, {@link TrainingRun}
 * trains QLoRA adapters for a few steps, and the held-out loss falls below the base model's at each
 * evaluation. The rows (answers signed "-- tuned by tune", which the base model never writes) are
 * made by {@code tools/quickstart/make_format_fixtures.py}; the Parquet file is written here.
 */
@ExtendWith(SingleThreadedTorch.class)
class DataFormatsTrainingTest {

  private static final int STEPS = 12;

  @TempDir Path dir;

  @Test
  void dollyJsonLinesTrains() {
    Path train = resource("dolly-train.jsonl");
    Path eval = resource("dolly-eval.jsonl");
    Run run = train(data(train).eval(FileUri.of(eval)), train, Optional.of(eval));

    assertThat(run.schema()).isInstanceOf(Schema.Instruction.class);
    run.assertEvalLossFalls();
  }

  @Test
  void csvTextColumnTrains() {
    Path train = resource("text.csv");
    Run run = train(data(train).evalSplit(0.15), train, Optional.empty());

    assertThat(run.schema()).isEqualTo(new Schema.Text("text"));
    run.assertEvalLossFalls();
  }

  @Test
  void shareGptChatTrains() {
    Path train = resource("sharegpt.json");
    Run run = train(data(train).evalSplit(0.15), train, Optional.empty());

    assertThat(run.schema()).isInstanceOf(Schema.Chat.class);
    assertThat(((Schema.Chat) run.schema()).field()).isEqualTo("conversations");
    run.assertEvalLossFalls();
  }

  @Test
  void parquetPromptCompletionTrains() throws IOException {
    Path train = parquet(resource("dolly-train.jsonl"), dir.resolve("train.parquet"));
    Path eval = parquet(resource("dolly-eval.jsonl"), dir.resolve("eval.parquet"));
    Run run = train(data(train).eval(FileUri.of(eval)), train, Optional.of(eval));

    assertThat(run.schema()).isEqualTo(new Schema.PromptCompletion("prompt", "completion"));
    run.assertEvalLossFalls();
  }

  /** What a run gave: the schema, the base model's eval loss and each evaluation's. */
  private record Run(Schema schema, double before, List<Double> evals) {
    void assertEvalLossFalls() {
      System.out.printf("%s: eval loss %.4f -> %s%n", schema, before, evals);
      assertThat(evals).hasSize(2);
      assertThat(before).isGreaterThan(evals.get(0));
      assertThat(evals.get(0)).isGreaterThan(evals.get(1));
      assertThat(evals.get(1)).isLessThan(before * 0.7);
    }
  }

  private static DataSpec.Builder data(Path train) {
    return DataSpec.builder(FileUri.of(train)).maxSeqLength(128);
  }

  /**
   * Trains {@value #STEPS} steps on the quickstart model, evaluating halfway and at the end; the
   * held-out rows are {@code evalFile}'s or, without one, {@code data}'s {@code eval_split}.
   */
  private Run train(DataSpec.Builder data, Path trainFile, Optional<Path> evalFile) {
    DataSpec spec = data.build();
    TrainSpec trainSpec =
        TrainSpec.builder()
            .model(BaseModel.of(FileUri.of(QuickstartAssets.model())))
            .data(spec)
            .output(OutputSpec.named("formats"))
            .lora(new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR)))
            .training(
                TrainingArguments.builder()
                    .maxSteps(STEPS)
                    .perDeviceTrainBatchSize(8)
                    .learningRate(3e-3)
                    .warmupSteps(2)
                    .loggingSteps(STEPS / 2)
                    .evalSteps(STEPS / 2)
                    .saveSteps(1000)
                    .seed(7)
                    .build())
            .build();
    List<TrainingExample> train;
    List<TrainingExample> eval;
    Schema schema;
    try (ModelTokenizer tokenizer = ModelTokenizer.load(QuickstartAssets.model())) {
      DataPipeline pipeline =
          DataPipeline.open(spec, List.of(trainFile), evalFile.stream().toList(), tokenizer, 7);
      schema = pipeline.schema();
      train = QuickstartAssets.examples(pipeline.train());
      eval = QuickstartAssets.examples(pipeline.eval());
    }
    assertThat(eval).hasSizeBetween(8, 10);
    double before = baseEvalLoss(trainSpec, eval);
    TrainResult result =
        TrainingRun.builder(trainSpec, new JobRef("local", "formats"))
            .baseModelDir(QuickstartAssets.model())
            .outputDir(dir.resolve("out"))
            .trainExamples(train)
            .evalExamples(eval)
            .device(Device.cpu())
            .logSink(line -> {})
            .build()
            .run();
    List<Double> evals =
        result.logHistory().stream()
            .filter(l -> l.kind() == TrainingLog.Kind.EVAL)
            .map(l -> l.get("eval_loss"))
            .toList();
    return new Run(schema, before, evals);
  }

  /** The loss of the base model (LoRA B starts at zero, so the adapters change nothing yet). */
  private double baseEvalLoss(TrainSpec spec, List<TrainingExample> eval) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu());
        QloraModel model =
            new QloraModelPreparer(spec.quantization(), spec.lora(), ComputePrecision.float32(), 7)
                .prepare(QuickstartAssets.model(), "quickstart", manager)) {
      return QloraTrainer.builder(model, spec.training())
          .outputDir(dir.resolve("base"))
          .build()
          .evaluate(eval)
          .loss();
    }
  }

  private static final MessageType PAIR =
      MessageTypeParser.parseMessageType(
          """
          message row {
            required binary prompt (STRING);
            required binary completion (STRING);
          }
          """);

  /** The Dolly rows of {@code jsonl} as prompt/completion pairs in a Parquet file. */
  private static Path parquet(Path jsonl, Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    SimpleGroupFactory groups = new SimpleGroupFactory(PAIR);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(PAIR)
            .build()) {
      for (String line : Files.readAllLines(jsonl)) {
        JsonNode row = json.readTree(line);
        String context = row.get("context").asText();
        String prompt =
            (context.isEmpty() ? "" : context + "\n")
                + "Question: "
                + row.get("instruction").asText()
                + "\nAnswer:";
        writer.write(
            groups
                .newGroup()
                .append("prompt", prompt)
                .append("completion", " " + row.get("response").asText()));
      }
    }
    return file;
  }

  private static Path resource(String name) {
    URL url = DataFormatsTrainingTest.class.getResource("/formats/" + name);
    if (url == null) {
      throw new IllegalStateException("missing test resource formats/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
