package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RowReaderTest {

  @TempDir Path dir;

  private static List<Row> read(Path file) {
    List<Row> rows = new ArrayList<>();
    try (RowReader reader = RowReader.open(file)) {
      for (Row row = reader.next(); row != null; row = reader.next()) {
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  void jsonLinesSkipBlankLinesAndHandleBomAndCrlf() {
    Path file =
        write(dir, "a.jsonl", "\uFEFF{\"text\": \"one\"}\r\n\n  \n{\"text\": \"two\", \"n\": 2}\n");

    List<Row> rows = read(file);

    assertThat(rows).extracting(r -> r.fields().get("text").asText()).containsExactly("one", "two");
    assertThat(rows.get(1).fields().get("n").asInt()).isEqualTo(2);
    assertThat(rows.get(1).origin()).isEqualTo(new RowOrigin(file, 2, 4));
    assertThat(rows.get(1).origin().toString()).isEqualTo(file + " row 2 (line 4)");
  }

  @Test
  void jsonLinesBadLineIsNamedAndReadingGoesOn() {
    Path file =
        write(dir, "a.jsonl", "{\"text\": \"one\"}\n{\"text\": \"tw\n[1, 2]\n{\"text\": \"4\"}\n");
    try (RowReader reader = RowReader.open(file)) {
      assertThat(reader.next().fields().get("text").asText()).isEqualTo("one");
      assertThatThrownBy(reader::next)
          .isInstanceOfSatisfying(
              BadRowException.class,
              e -> {
                assertThat(e.getMessage())
                    .startsWith(file + " line 2: not valid JSON (")
                    .endsWith(": {\"text\": \"tw");
                assertThat(e.origin().line()).isEqualTo(2);
                assertThat(e.fix()).contains("skip_bad_rows: true");
              });
      assertThatThrownBy(reader::next)
          .isInstanceOf(BadRowException.class)
          .hasMessage(file + " line 3: expected a JSON object, found a list: [1, 2]");
      assertThat(reader.next().fields().get("text").asText()).isEqualTo("4");
      assertThat(reader.next()).isNull();
    }
  }

  @Test
  void nonUtf8LineIsReportedWithItsNumber() {
    byte[] latin1 = "{\"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] good = "{\"text\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[good.length + latin1.length + good.length];
    System.arraycopy(good, 0, bytes, 0, good.length);
    System.arraycopy(latin1, 0, bytes, good.length, latin1.length);
    System.arraycopy(good, 0, bytes, good.length + latin1.length, good.length);
    Path file = write(dir, "latin1.jsonl", bytes);

    try (RowReader reader = RowReader.open(file)) {
      reader.next();
      assertThatThrownBy(reader::next)
          .isInstanceOfSatisfying(
              BadRowException.class,
              e -> {
                assertThat(e.getMessage())
                    .startsWith(file + " line 2: the line is not valid UTF-8");
                assertThat(e.fix()).contains("UTF-8");
              });
      assertThat(reader.next().fields().get("text").asText()).isEqualTo("ok");
    }
  }

  @Test
  void jsonArrayIsStreamedWithLineNumbers() {
    Path file =
        write(
            dir,
            "a.json",
            """
            [
              {"instruction": "a", "response": "b"},
              {"instruction": "c",
               "response": "d"}
            ]
            """);

    List<Row> rows = read(file);

    assertThat(rows).hasSize(2);
    assertThat(rows.get(1).fields().get("response").asText()).isEqualTo("d");
    assertThat(rows.get(1).origin()).isEqualTo(new RowOrigin(file, 2, 3));
  }

  @Test
  void jsonFileWithOneObjectPerLineIsReadAsJsonLines() {
    Path file = write(dir, "export.json", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");

    assertThat(read(file))
        .extracting(r -> r.fields().get("text").asText())
        .containsExactly("a", "b");
  }

  @Test
  void brokenJsonArrayIsAFileErrorWithItsPosition() {
    Path file = write(dir, "a.json", "[{\"text\": \"a\"},\n {\"text\": }]\n");
    try (RowReader reader = RowReader.open(file)) {
      reader.next();
      assertThatThrownBy(reader::next)
          .isExactlyInstanceOf(BadInputException.class)
          .hasMessageStartingWith(file + " is not valid JSON at line 2, column ");
      assertThat(reader.next()).isNull();
    }
  }

  @Test
  void csvQuotingHeaderAndMultilineFields() {
    Path file =
        write(
            dir,
            "a.csv",
            "instruction,context,response\r\n"
                + "\"Say \"\"hi\"\"\",,hi\r\n"
                + "\"a, b\",\"line 1\nline 2\",done\n"
                + "\n"
                + "x,y,z\n");

    List<Row> rows = read(file);

    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).fields().get("instruction").asText()).isEqualTo("Say \"hi\"");
    assertThat(rows.get(0).fields().get("context").asText()).isEmpty();
    assertThat(rows.get(1).fields().get("instruction").asText()).isEqualTo("a, b");
    assertThat(rows.get(1).fields().get("context").asText()).isEqualTo("line 1\nline 2");
    assertThat(rows.get(1).origin()).isEqualTo(new RowOrigin(file, 2, 3));
    assertThat(rows.get(2).origin()).isEqualTo(new RowOrigin(file, 3, 6));
  }

  @Test
  void csvRowWithTheWrongNumberOfFieldsIsBad() {
    Path file = write(dir, "a.csv", "prompt,completion\nonly one\nq,a\n");
    try (RowReader reader = RowReader.open(file)) {
      assertThatThrownBy(reader::next)
          .isInstanceOf(BadRowException.class)
          .hasMessage(file + " row 1 (line 2): has 1 fields but the header has 2: only one");
      assertThat(reader.next().fields().get("completion").asText()).isEqualTo("a");
    }
  }

  @Test
  void csvHeaderMustNameEveryColumnOnce() {
    Path file = write(dir, "a.csv", "text,text\na,b\n");
    assertThatThrownBy(() -> RowReader.open(file))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("repeats the column text");
  }

  @Test
  void tsvIsTabSeparated() {
    Path file = write(dir, "a.tsv", "prompt\tcompletion\nWhat, then?\t\"It\tdepends\"\n");

    List<Row> rows = read(file);

    assertThat(rows.get(0).fields().get("prompt").asText()).isEqualTo("What, then?");
    assertThat(rows.get(0).fields().get("completion").asText()).isEqualTo("It\tdepends");
  }

  @Test
  void unknownExtensionIsBadInput() {
    Path file = write(dir, "a.txt", "hello");
    assertThatThrownBy(() -> RowReader.open(file))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Cannot tell the format of")
        .satisfies(e -> assertThat(((BadInputException) e).fix()).contains(".parquet"));
  }

  static final MessageType CHAT_SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message row {
            required binary id (STRING);
            optional int64 n;
            optional group messages (LIST) {
              repeated group list {
                optional group element {
                  optional binary role (STRING);
                  optional binary content (STRING);
                }
              }
            }
          }
          """);

  static Path writeParquet(
      Path file,
      MessageType schema,
      CompressionCodecName codec,
      int rows,
      List<Consumer<Group>> fill)
      throws java.io.IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(schema)
            .withCompressionCodec(codec)
            .withRowGroupSize(1024L)
            .withPageSize(512)
            .build()) {
      for (int i = 0; i < rows; i++) {
        Group g = groups.newGroup();
        fill.get(i % fill.size()).accept(g);
        writer.write(g);
      }
    }
    return file;
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionCodecName.class,
      names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD"})
  void parquetRowsComeOneRowGroupAtATime(CompressionCodecName codec) throws Exception {
    Consumer<Group> chat =
        g -> {
          g.append("id", "c").append("n", 7L);
          Group list = g.addGroup("messages");
          list.addGroup("list").addGroup("element").append("role", "user").append("content", "Hi");
          list.addGroup("list")
              .addGroup("element")
              .append("role", "assistant")
              .append("content", "Hello!");
        };
    Consumer<Group> bare = g -> g.append("id", "b");
    Path file =
        writeParquet(dir.resolve("a.parquet"), CHAT_SCHEMA, codec, 300, List.of(chat, bare));

    List<Row> rows = read(file);

    assertThat(rows).hasSize(300);
    assertThat(rows.get(0).fields().toString())
        .isEqualTo(
            "{\"id\":\"c\",\"n\":7,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello!\"}]}");
    assertThat(rows.get(1).fields().toString())
        .isEqualTo("{\"id\":\"b\",\"n\":null,\"messages\":null}");
    assertThat(rows.get(299).origin()).isEqualTo(new RowOrigin(file, 300, 0));
    assertThat(rows.get(299).origin().toString()).isEqualTo(file + " row 300");
  }

  @Test
  void notAParquetFileIsBadInput() {
    Path file = write(dir, "a.parquet", "not parquet at all");
    assertThatThrownBy(() -> RowReader.open(file))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("is not a readable Parquet file");
  }
}
