package dev.tune.bench;

import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataSpec;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.DataReport;
import dev.tune.trainer.data.ExampleIterator;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Rows per second of the data pipeline (read, render, tokenize, pack) on generated files: short
 * text rows and Dolly-style instruction rows. Not a JMH benchmark: a warm-up over the first 10,000
 * examples, then one timed pass over the whole file, as a training epoch reads it.
 *
 * <pre>
 * ./mvnw -q -B -pl bench -am package -DskipTests -Dspotless.check.skip=true
 * java -cp "bench/target/tune-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *     dev.tune.bench.DataThroughput \
 *     [TOKENIZER_DIR (default: the trainer's fixture tokenizer)] [ROWS (default 100000)]
 * </pre>
 */
public final class DataThroughput {

  private static final String[] WORDS = {
    "the", "model", "learns", "to", "answer", "questions", "about", "data", "with", "short",
    "clear", "sentences", "and", "a", "few", "numbers", "like", "42", "or", "2026."
  };

  private DataThroughput() {}

  public static void main(String[] args) throws IOException {
    Path tokenizerDir =
        Path.of(args.length > 0 ? args[0] : "trainer/src/test/resources/fixtures/hf/tokenizer");
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path dir = Files.createTempDirectory("tune-data-bench");
    try (ModelTokenizer tokenizer = ModelTokenizer.load(tokenizerDir)) {
      Path text = generate(dir.resolve("text.jsonl"), rows, false);
      Path dolly = generate(dir.resolve("dolly.jsonl"), rows, true);
      System.out.printf(
          Locale.ROOT, "tokenizer %s, %d rows per file, 2 cores shared%n", tokenizerDir, rows);
      measure("text, packed to 1024", text, tokenizer, true);
      measure("text, unpacked", text, tokenizer, false);
      measure("dolly instruction, packed to 1024", dolly, tokenizer, true);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }

  private static Path generate(Path file, int rows, boolean dolly) throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < rows; i++) {
        if (dolly) {
          w.write(
              "{\"instruction\": \""
                  + words(random, 12)
                  + "\", \"context\": \""
                  + (i % 2 == 0 ? words(random, 30) : "")
                  + "\", \"response\": \""
                  + words(random, 25)
                  + "\"}\n");
        } else {
          w.write("{\"text\": \"" + words(random, 16) + "\"}\n");
        }
      }
    }
    return file;
  }

  private static String words(SplittableRandom random, int count) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  private static void measure(String name, Path file, ModelTokenizer tokenizer, boolean packing) {
    DataSpec spec = DataSpec.builder(FileUri.of(file)).packing(packing).build();
    DataPipeline data = DataPipeline.open(spec, List.of(file), List.of(), tokenizer, 1);
    try (ExampleIterator warmUp = data.train().iterator()) {
      for (int i = 0; i < 10_000 && warmUp.hasNext(); i++) {
        warmUp.next();
      }
    }
    long start = System.nanoTime();
    DataReport report = pass(data);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%-34s %,9.0f rows/s  %,11.0f tokens/s  (%d rows, %d tokens, %d packed rows, %.2f s a"
            + " pass)%n",
        name,
        report.rows() / seconds,
        report.tokens() / seconds,
        report.rows(),
        report.tokens(),
        report.packedRows(),
        seconds);
  }

  private static DataReport pass(DataPipeline data) {
    try (ExampleIterator it = data.train().iterator()) {
      long sink = 0;
      while (it.hasNext()) {
        sink += it.next().inputIds()[0];
      }
      if (sink == Long.MIN_VALUE) {
        System.out.println(sink);
      }
      return it.report();
    }
  }
}
