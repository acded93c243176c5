package dev.tune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.train.DataFormat;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchemaDetectorTest {

  private static Row row(String json) throws JsonProcessingException {
    return new Row(
        (ObjectNode) JsonLinesReader.JSON.readTree(json), new RowOrigin(Path.of("d.jsonl"), 1, 1));
  }

  private static Schema auto(String json) throws JsonProcessingException {
    return SchemaDetector.detect(row(json), DataFormat.AUTO, Optional.empty());
  }

  @Test
  void everySchemaIsDetectedFromItsFields() throws Exception {
    assertThat(auto("{\"text\": \"a\", \"id\": 1}")).isEqualTo(new Schema.Text("text"));
    assertThat(auto("{\"example\": \"a\", \"id\": 1}")).isEqualTo(new Schema.Text("example"));
    assertThat(auto("{\"instruction\": \"a\", \"context\": \"\", \"response\": \"b\"}"))
        .isEqualTo(new Schema.Instruction("instruction", Optional.of("context"), "response"));
    assertThat(auto("{\"instruction\": \"a\", \"input\": \"\", \"output\": \"b\"}"))
        .isEqualTo(new Schema.Instruction("instruction", Optional.of("input"), "output"));
    assertThat(auto("{\"instruction\": \"a\", \"output\": \"b\"}"))
        .isEqualTo(new Schema.Instruction("instruction", Optional.empty(), "output"));
    assertThat(auto("{\"prompt\": \"a\", \"completion\": \"b\"}"))
        .isEqualTo(new Schema.PromptCompletion("prompt", "completion"));
    assertThat(auto("{\"messages\": []}")).isEqualTo(Schema.Chat.MESSAGES);
    assertThat(auto("{\"conversations\": []}")).isEqualTo(Schema.Chat.SHAREGPT);
    assertThat(auto("{\"instruction\": \"a\", \"response\": \"b\"}").describe())
        .isEqualTo("instruction (Dolly: instruction/response)");
  }

  @Test
  void formatAndTextFieldOverrideDetection() throws Exception {
    Row both = row("{\"prompt\": \"a\", \"completion\": \"b\", \"text\": \"c\", \"body\": \"d\"}");
    assertThat(SchemaDetector.detect(both, DataFormat.TEXT, Optional.empty()))
        .isEqualTo(new Schema.Text("text"));
    assertThat(SchemaDetector.detect(both, DataFormat.AUTO, Optional.of("body")))
        .isEqualTo(new Schema.Text("body"));
    assertThat(SchemaDetector.detect(both, DataFormat.AUTO, Optional.empty()))
        .isEqualTo(new Schema.PromptCompletion("prompt", "completion"));
  }

  @Test
  void unknownShapeNamesTheFieldsAndTheFix() throws Exception {
    assertThatThrownBy(() -> auto("{\"question\": \"a\", \"answer\": \"b\"}"))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo(
                      "d.jsonl line 1: cannot tell the data format from the fields [question,"
                          + " answer]; expected messages, conversations, prompt+completion,"
                          + " instruction+response, instruction+output or text.");
              assertThat(e.fix()).contains("data.format").contains("data.text_field");
            });
    assertThatThrownBy(
            () ->
                SchemaDetector.detect(row("{\"text\": \"a\"}"), DataFormat.CHAT, Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("expected messages or conversations.");
  }
}
