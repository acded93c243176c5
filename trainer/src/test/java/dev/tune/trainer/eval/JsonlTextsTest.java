package dev.tune.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import dev.tune.core.error.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonlTextsTest {

  @TempDir Path tmp;

  private Path write(String content) throws IOException {
    return Files.writeString(tmp.resolve("data.jsonl"), content);
  }

  @Test
  void readsTheTextOfEachRecordInOrderSkippingBlankLines() throws IOException {
    Path file =
        write(
            "\uFEFF{\"text\": \"first\", \"id\": 1}\n\n"
                + "  \n{\"text\": \"line\\nbreak \\u00e9\"}\r\n{\"text\": \"\"}");

    assertThat(JsonlTexts.read(file)).containsExactly("first", "line\nbreak é", "");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"text\": \"unterminated}                | not valid JSON",
        "[\"text\"]                                | a JSON array, not an object",
        "\"text\"                                  | a JSON string, not an object",
        "{\"prompt\": \"a\", \"completion\": \"b\"} | no \"text\" field (it has [prompt, completion])",
        "{\"text\": 42}                            | \"text\" is a JSON number, not a string",
        "{\"text\": null}                          | \"text\" is a JSON null, not a string",
        "{\"text\": \"a\"} {\"text\": \"b\"}         | not valid JSON",
      })
  void aBadLineIsNamedByFileAndLineWithTheFix(String line, String problem) throws IOException {
    Path file = write("{\"text\": \"fine\"}\n\n" + line + "\n{\"text\": \"after\"}\n");

    assertThatThrownBy(() -> JsonlTexts.read(file))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(file + ":3: ")
        .hasMessageContaining(problem)
        .satisfies(
            e ->
                assertThat(((BadInputException) e).fix())
                    .contains("one JSON object per line")
                    .contains("{\"text\": \"Hello.\"}"));
  }

  @Test
  void aFileWithoutRecordsIsBadInput() throws IOException {
    Path file = write("\n   \n");
    assertThatThrownBy(() -> JsonlTexts.read(file))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("holds no records");
  }

  @Test
  void aMissingFileIsNotFound() {
    assertThatThrownBy(() -> JsonlTexts.read(tmp.resolve("nope.jsonl")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("nope.jsonl does not exist");
  }
}
