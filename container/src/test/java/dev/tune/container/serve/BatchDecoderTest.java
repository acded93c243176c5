package dev.tune.container.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.trainer.model.generation.FinishReason;
import dev.tune.trainer.model.generation.GenerationResult;
import dev.tune.trainer.model.generation.Generator;
import dev.tune.trainer.model.generation.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batched decoding with per-sequence settings, checked against the trainer's Generator. */
class BatchDecoderTest {

  private static final long FAR = Long.MAX_VALUE / 2;

  private static ServedModel served;
  private static BatchDecoder decoder;
  private static Generator generator;

  @BeforeAll
  static void load() {
    served = ServedModel.load(LlamaFixture.dir());
    decoder = new BatchDecoder(served.model());
    generator = new Generator(served.model());
  }

  @AfterAll
  static void close() {
    served.close();
  }

  private static long[] ids(String text) {
    return served.tokenizer().encode(text);
  }

  private static Sequence sequence(long[] prompt, SamplingParams params) {
    return new Sequence(prompt, params, System.nanoTime() + 60_000_000_000L, TokenListener.NONE);
  }

  private static GenerationResult decodeAlone(long[] prompt, SamplingParams params) {
    Sequence s = sequence(prompt, params);
    decoder.decode(List.of(s));
    return s.result().join();
  }

  @Test
  void aGreedySequenceAloneGivesTheGeneratorsTokens() {
    long[] prompt = ids("Name a primary colour.");
    SamplingParams greedy = SamplingParams.greedy(12).withEosTokenIds(served.eosTokenIds());
    assertThat(decodeAlone(prompt, greedy)).isEqualTo(generator.generate(prompt, greedy));
  }

  @Test
  void aLeftPaddedBatchGivesWhatEachPromptGivesAlone() {
    List<long[]> prompts =
        List.of(ids("The quick brown fox"), ids("Hi"), ids("What is the capital of France?"));
    SamplingParams greedy = SamplingParams.greedy(10);
    List<Sequence> batch = new ArrayList<>();
    prompts.forEach(p -> batch.add(sequence(p, greedy)));
    int generated = decoder.decode(batch);
    int total = 0;
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult r = batch.get(i).result().join();
      assertThat(r).isEqualTo(generator.generate(prompts.get(i), greedy));
      total += r.tokens().length;
    }
    assertThat(generated).isEqualTo(total);
  }

  @Test
  void eachSequenceStopsAtItsOwnLimitOrEndToken() {
    long[] prompt = ids("Fine-tuning adapts a model.");
    long[] twelve = generator.generate(prompt, SamplingParams.greedy(12)).tokens();
    int stopAt = (int) twelve[4];
    int firstStop = 0;
    while (twelve[firstStop] != stopAt) {
      firstStop++;
    }
    Sequence short3 = sequence(prompt, SamplingParams.greedy(3));
    Sequence long12 = sequence(prompt, SamplingParams.greedy(12));
    Sequence untilEos = sequence(prompt, SamplingParams.greedy(12).withEosTokenIds(Set.of(stopAt)));
    decoder.decode(List.of(short3, long12, untilEos));

    assertThat(short3.result().join())
        .isEqualTo(new GenerationResult(Arrays.copyOf(twelve, 3), FinishReason.LENGTH));
    assertThat(long12.result().join()).isEqualTo(new GenerationResult(twelve, FinishReason.LENGTH));
    assertThat(untilEos.result().join())
        .isEqualTo(new GenerationResult(Arrays.copyOf(twelve, firstStop + 1), FinishReason.EOS));
  }

  @Test
  void seededSamplingIsReproducibleAndMatchesTheGenerator() {
    long[] prompt = ids("Below is an instruction");
    SamplingParams sampled = new SamplingParams(16, 1.3, 20, 0.95, 1234L, Set.of());
    GenerationResult first = decodeAlone(prompt, sampled);
    assertThat(decodeAlone(prompt, sampled)).isEqualTo(first);
    assertThat(first).isEqualTo(generator.generate(prompt, sampled));
    assertThat(decodeAlone(prompt, sampled.withSeed(99)).tokens()).isNotEqualTo(first.tokens());
  }

  @Test
  void theListenerHearsEveryTokenInOrder() {
    long[] prompt = ids("Red is a primary colour.");
    List<Integer> heard = new ArrayList<>();
    Sequence s =
        new Sequence(prompt, SamplingParams.greedy(6), System.nanoTime() + FAR, heard::add);
    decoder.decode(List.of(s));
    assertThat(heard.stream().mapToLong(Integer::longValue).toArray())
        .containsExactly(s.result().join().tokens());
  }

  @Test
  void aSequencePastItsDeadlineEndsWith408AndTheOthersGoOn() {
    long[] prompt = ids("Hello");
    Sequence late = new Sequence(prompt, SamplingParams.greedy(5), System.nanoTime() - 1, t -> {});
    Sequence fine = sequence(prompt, SamplingParams.greedy(5));
    decoder.decode(List.of(late, fine));
    assertThatThrownBy(() -> late.result().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("time limit")
        .satisfies(e -> assertThat(((ApiError) e).status()).isEqualTo(408));
    assertThat(fine.result().join().tokens()).hasSize(5);
  }

  @Test
  void aCancelledSequenceIsDropped() {
    Sequence gone = sequence(ids("Hello"), SamplingParams.greedy(5));
    gone.cancel();
    assertThat(decoder.decode(List.of(gone))).isZero();
    assertThatThrownBy(() -> gone.result().join()).hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  void aListenerThatThrowsEndsOnlyItsOwnSequence() {
    long[] prompt = ids("Hello");
    Sequence broken =
        new Sequence(
            prompt,
            SamplingParams.greedy(5),
            System.nanoTime() + FAR,
            t -> {
              throw new IllegalStateException("client gone");
            });
    Sequence fine = sequence(prompt, SamplingParams.greedy(5));
    decoder.decode(List.of(broken, fine));
    assertThatThrownBy(() -> broken.result().join()).hasMessageContaining("client gone");
    assertThat(fine.result().join().tokens()).hasSize(5);
  }
}
