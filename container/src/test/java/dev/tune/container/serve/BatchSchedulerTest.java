package dev.tune.container.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchSchedulerTest {

  private static ServedModel served;

  @BeforeAll
  static void load() {
    served = ServedModel.load(LlamaFixture.dir());
  }

  @AfterAll
  static void close() {
    served.close();
  }

  private static Sequence sequence(String text, int maxTokens) {
    return new Sequence(
        served.tokenizer().encode(text),
        SamplingParams.greedy(maxTokens),
        System.nanoTime() + Duration.ofMinutes(1).toNanos(),
        TokenListener.NONE);
  }

  @Test
  void concurrentSubmissionsShareBatchesAndGetTheirOwnAnswers() throws Exception {
    BatchScheduler scheduler =
        new BatchScheduler(
            new BatchDecoder(served.model()), new BatchingOptions(8, Duration.ofMillis(50)), 100);
    List<String> texts = List.of("Hello", "The quick brown fox", "Name a colour", "Paris");
    int n = 24;
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<GenerationResult>> answers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String text = texts.get(i % texts.size());
        answers.add(
            clients.submit(
                () -> {
                  Sequence s = sequence(text, 6);
                  scheduler.submit(List.of(s));
                  return s.result().join();
                }));
      }
      Generator generator = new Generator(served.model());
      for (int i = 0; i < n; i++) {
        long[] prompt = served.tokenizer().encode(texts.get(i % texts.size()));
        assertThat(answers.get(i).get())
            .isEqualTo(generator.generate(prompt, SamplingParams.greedy(6)));
      }
    } finally {
      assertThat(scheduler.close(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(scheduler.sequences()).isEqualTo(n);
    assertThat(scheduler.batches()).isLessThan(n);
    assertThat(scheduler.largestBatch()).isGreaterThan(1).isLessThanOrEqualTo(8);
    assertThat(scheduler.generatedTokens()).isEqualTo(6L * n);
  }

  @Test
  void aFullQueueRefusesWith429AndAClosedOneWith503() {
    BatchScheduler scheduler =
        new BatchScheduler(
            new BatchDecoder(served.model()), new BatchingOptions(4, Duration.ofSeconds(1)), 2);
    try {
      Sequence a = sequence("Hello", 2);
      scheduler.submit(List.of(a));
      assertThatThrownBy(() -> scheduler.submit(List.of(sequence("x", 2), sequence("y", 2))))
          .isInstanceOf(ApiError.class)
          .hasMessageContaining("limit is 2")
          .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(429));
    } finally {
      assertThat(scheduler.close(Duration.ofSeconds(10))).isTrue();
    }
    // Closing decoded what was queued; nothing new is taken.
    assertThat(scheduler.sequences()).isEqualTo(1);
    assertThatThrownBy(() -> scheduler.submit(List.of(sequence("z", 2))))
        .isInstanceOf(ApiError.class)
        .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(503));
  }
}
