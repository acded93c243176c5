package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A generated file of a million short rows is read lazily and never held. */
class StreamingTest {

  private static final int ROWS = 1_000_000;

  @TempDir static Path dir;
  private static Path file;

  @BeforeAll
  static void generate() throws IOException {
    file = dir.resolve("million.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < ROWS; i++) {
        w.write("{\"text\": \"row ");
        w.write(Integer.toString(i));
        w.write(" of a file too big to hold as objects\"}\n");
      }
    }
  }

  @Test
  void examplesAreMadeOnlyAsTheyAreAskedFor() {
    try (ModelTokenizer tok = DataFixtures.tokenizer()) {
      DataPipeline data = DataPipeline.open(spec().build(), List.of(file), List.of(), tok, 1);
      try (ExampleIterator it = data.train().iterator()) {
        for (int i = 0; i < 1000; i++) {
          it.next();
        }
        assertThat(it.report().rows()).isEqualTo(1000);
      }
      DataPipeline packed =
          DataPipeline.open(
              spec().packing(true).maxSeqLength(256).build(), List.of(file), List.of(), tok, 1);
      try (ExampleIterator it = packed.train().iterator()) {
        for (int i = 0; i < 10; i++) {
          it.next();
        }
        // One packing window of examples, not the file.
        assertThat(it.report().rows()).isEqualTo(Packer.DEFAULT_WINDOW);
      }
    }
  }

  @Test
  void aFullPassOverAMillionRowsHoldsNoneOfThem() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    long peak = 0;
    long rows = 0;
    try (RowStream stream = new RowStream(List.of(file))) {
      for (Row row = stream.next(); row != null; row = stream.next()) {
        rows++;
        if (rows % 250_000 == 0) {
          System.gc();
          peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed() - before);
        }
      }
    }
    System.out.printf(
        "rows %d, heap growth at most %.1f MiB during the pass%n", rows, peak / 1048576.0);

    assertThat(rows).isEqualTo(ROWS);
    // A million parsed rows would take hundreds of MiB; the file alone is ~50 MiB.
    assertThat(peak).isLessThan(32L << 20);
  }
}
