package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.Schema;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** What a run gave: the schema it read and the eval losses. */
  private record Run(Schema schema, QuickstartRun.Losses losses) {
    void assertEvalLossFalls() {
      losses.assertFalling(schema.toString());
    }
  }

  private static DataSpec.Builder data(Path train) {
    return DataSpec.builder(FileUri.of(train)).maxSeqLength(128);
  }

  /**
   * Trains a {@link QuickstartRun} on {@code data}; the held-out rows are {@code evalFile}'s or,
   * without one, {@code data}'s {@code eval_split}.
   */
  private Run train(DataSpec.Builder data, Path trainFile, Optional<Path> evalFile) {
    TrainSpec spec = QuickstartRun.spec(data.build(), "formats", 8);
    QuickstartRun.Examples examples =
        QuickstartRun.examples(spec, trainFile, evalFile.stream().toList());
    assertThat(examples.eval()).hasSizeBetween(8, 10);
    return new Run(examples.schema(), QuickstartRun.train(spec, examples, dir));
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
