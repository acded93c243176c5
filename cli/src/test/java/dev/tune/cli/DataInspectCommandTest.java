package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataInspectCommandTest {

  /** The trainer's fixture tokenizer (byte-level BPE, vocab 512), from the reactor checkout. */
  private static final Path TOKENIZER =
      Path.of("../trainer/src/test/resources/fixtures/hf/tokenizer").toAbsolutePath().normalize();

  @TempDir Path dir;
  private Path dolly;

  @BeforeEach
  void write() throws IOException {
    dolly = dir.resolve("dolly.jsonl");
    Files.writeString(
        dolly,
        """
        {"instruction": "Name a color.", "context": "", "response": "Blue"}
        {"instruction": "Add.", "context": "2 and 3", "response": "5"}
        {"instruction": "Broken"}
        {"instruction": "Long.", "context": "%s", "response": "ok"}
        """
            .formatted("word ".repeat(200)));
  }

  @Test
  void textReportShowsRowsFormatSampleAndLengths() {
    CliRun run =
        CliRun.run(
            "data",
            "inspect",
            dolly.toString(),
            "--model",
            TOKENIZER.toString(),
            "--max-seq-length",
            "200");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("rows:   4 (1 bad)")
        .contains("format: instruction (Dolly: instruction/context/response)")
        .contains("bad row: " + dolly + " line 3, field 'response': the field is missing")
        .contains("sample (" + dolly + " line 1), trained text in [[ ]]:")
        .contains("### Instruction:\nName a color.\n\n### Response:\n[[Blue\n\n### End]]")
        .contains("tokens per row: min ")
        .contains("over max_seq_length 200: 1 rows would be truncated");
  }

  @Test
  void jsonReportIsOneDocument() {
    CliRun run =
        CliRun.run(
            "data",
            "inspect",
            dolly.toString(),
            "--model",
            TOKENIZER.toString(),
            "--max-seq-length",
            "200",
            "--drop-long-rows",
            "-o",
            "json");

    assertThat(run.exitCode()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("rows").asLong()).isEqualTo(4);
    assertThat(json.get("bad_rows").asLong()).isEqualTo(1);
    assertThat(json.get("would_drop").asLong()).isEqualTo(1);
    assertThat(json.get("would_truncate").asLong()).isZero();
    assertThat(json.get("token_lengths").get("max").asInt()).isGreaterThan(200);
    assertThat(json.get("sample").get("segments").get(1).get("trained").asBoolean()).isTrue();
    assertThat(json.get("sample").get("segments").get(1).get("text").asText())
        .isEqualTo("Blue\n\n### End");
  }

  @Test
  void withoutAModelThereAreNoLengthsAndChatHasNoSample() throws IOException {
    Path chat = dir.resolve("chat.csv");
    Files.writeString(
        chat, "messages\n\"[{\"\"role\"\": \"\"user\"\", \"\"content\"\": \"\"Hi\"\"}]\"\n");

    CliRun run = CliRun.run("data", "inspect", chat.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("rows:   1\n")
        .contains("format: chat (messages: role/content)")
        .contains("pass --model DIR")
        .doesNotContain("tokens per row");
  }

  @Test
  void missingFilesAndUnknownShapesAreBadInput() throws IOException {
    CliRun missing = CliRun.run("data", "inspect", dir.resolve("nope.jsonl").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("does not exist").contains("fix:");

    Path odd = dir.resolve("odd.jsonl");
    Files.writeString(odd, "{\"question\": \"a\", \"answer\": \"b\"}\n");
    CliRun unknown = CliRun.run("data", "inspect", odd.toString(), "-o", "json");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.json().get("error").get("message").asText())
        .contains("cannot tell the data format from the fields [question, answer]");
  }
}
