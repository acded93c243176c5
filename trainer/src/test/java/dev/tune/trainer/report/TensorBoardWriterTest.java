package dev.tune.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardWriterTest {

  @TempDir Path dir;

  @Test
  void theReadersCrcMatchesTheStandardCheckValue() {
    // the CRC-32C check value of "123456789" (RFC 3720, appendix B.4)
    assertThat(EventFileReader.crc32c("123456789".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(0xE3069283);
    assertThat(TfRecordWriter.maskedCrc(new byte[] {1, 2, 3}, 0, 3))
        .isEqualTo(EventFileReader.masked(EventFileReader.crc32c(new byte[] {1, 2, 3})));
  }

  @Test
  void writesAFileVersionEventThenOneEventOfScalarsPerStep() throws IOException {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(1_764_000_000_250L), ZoneOffset.UTC);
    Path file;
    try (TensorBoardWriter writer = TensorBoardWriter.create(dir.resolve("logs"), clock)) {
      file = writer.file();
      Map<String, Double> first = new LinkedHashMap<>();
      first.put("train/loss", 2.5);
      first.put("train/learning_rate", 2e-4);
      writer.scalars(10, first);
      writer.scalars(20, Map.of("eval/loss", 1.75));
      writer.scalars(1L << 40, Map.of("train/loss", -0.5));
      writer.scalars(30, Map.of());
    }

    assertThat(file.getFileName().toString()).startsWith("events.out.tfevents.1764000000.");
    List<EventFileReader.Event> events = EventFileReader.read(file);
    assertThat(events)
        .extracting(EventFileReader.Event::step)
        .containsExactly(0L, 10L, 20L, 1L << 40);
    assertThat(events).allSatisfy(e -> assertThat(e.wallTime()).isEqualTo(1_764_000_000.25));
    assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
    assertThat(events.get(0).scalars()).isEmpty();
    assertThat(events.get(1).scalars())
        .containsExactly(Map.entry("train/loss", 2.5f), Map.entry("train/learning_rate", 2e-4f));
    assertThat(events.get(2).scalars()).containsExactly(Map.entry("eval/loss", 1.75f));
    assertThat(events.get(3).scalars()).containsExactly(Map.entry("train/loss", -0.5f));
  }

  @Test
  void twoWritersInOneSecondGetTwoFiles() throws IOException {
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_764_000_000L), ZoneOffset.UTC);
    try (TensorBoardWriter a = TensorBoardWriter.create(dir, clock);
        TensorBoardWriter b = TensorBoardWriter.create(dir, clock)) {
      assertThat(a.file()).isNotEqualTo(b.file());
    }
    try (var files = Files.list(dir)) {
      assertThat(files).hasSize(2).allMatch(f -> f.getFileName().toString().contains("tfevents"));
    }
  }
}
