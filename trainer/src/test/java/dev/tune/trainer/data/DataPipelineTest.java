package dev.tune.trainer.data;

import static dev.tune.trainer.data.DataFixtures.concat;
import static dev.tune.trainer.data.DataFixtures.ignored;
import static dev.tune.trainer.data.DataFixtures.spec;
import static dev.tune.trainer.data.DataFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import dev.tune.core.train.DataFormat;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.TruncationSide;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPipelineTest {

  private static final long BOS = 0;
  private static final long EOS = 1;
  private static ModelTokenizer tok;

  @TempDir Path dir;

  @BeforeAll
  static void load() {
    tok = DataFixtures.tokenizer();
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  private static long[] enc(String text) {
    return tok.encode(text, false);
  }

  private static List<TokenizedExample> examples(DataSpec spec, Path... files) {
    List<TokenizedExample> out = new ArrayList<>();
    DataPipeline.open(spec, List.of(files), List.of(), tok, 42).train().forEach(out::add);
    return out;
  }

  @Test
  void fixtureTokenizerAddsBosAndHasEos() {
    assertThat(tok.encode("hello", true)).startsWith(BOS);
    assertThat(tok.eosTokenId()).hasValue(EOS);
  }

  @Test
  void textTrainsEveryTokenAndEndsWithEos() {
    Path file = write(dir, "t.jsonl", "{\"text\": \"the cat sat\"}\n");

    TokenizedExample e = examples(spec().build(), file).get(0);

    long[] text = enc("the cat sat");
    assertThat(e.inputIds()).containsExactly(concat(new long[] {BOS}, text, new long[] {EOS}));
    assertThat(e.labels()).containsExactly(concat(ignored(1), text, new long[] {EOS}));
    assertThat(e.positionIds()).hasSize(text.length + 2);
    for (int t = 0; t < e.length(); t++) {
      assertThat(e.positionIds()[t]).isEqualTo(t);
    }
    assertThat(e.sequenceIds()).containsOnly(0);
  }

  @Test
  void textFieldPicksTheColumnOfACsv() {
    Path file = write(dir, "t.csv", "id,example\n1,\"hello, world\"\n");

    TokenizedExample e = examples(spec().textField("example").build(), file).get(0);

    assertThat(e.inputIds())
        .containsExactly(concat(new long[] {BOS}, enc("hello, world"), new long[] {EOS}));
  }

  @Test
  void promptCompletionTrainsOnlyTheCompletion() {
    Path file = write(dir, "p.tsv", "prompt\tcompletion\nWhat is 2+2?\tFour.\n");

    TokenizedExample e = examples(spec().build(), file).get(0);

    long[] prompt = enc("What is 2+2?");
    long[] completion = enc("Four.");
    assertThat(e.inputIds())
        .containsExactly(concat(new long[] {BOS}, prompt, completion, new long[] {EOS}));
    assertThat(e.labels())
        .containsExactly(concat(ignored(1 + prompt.length), completion, new long[] {EOS}));
    assertThat(e.trainedTokens()).isEqualTo(completion.length + 1);
  }

  @Test
  void completionOnlyLossOffTrainsThePromptToo() {
    Path file = write(dir, "p.jsonl", "{\"prompt\": \"Hi\", \"completion\": \" there\"}\n");

    TokenizedExample e = examples(spec().completionOnlyLoss(false).build(), file).get(0);

    long[] ids = concat(new long[] {BOS}, enc("Hi"), enc(" there"), new long[] {EOS});
    assertThat(e.inputIds()).containsExactly(ids);
    assertThat(e.labels())
        .containsExactly(concat(ignored(1), enc("Hi"), enc(" there"), new long[] {EOS}));
  }

  @Test
  void dollyAndAlpacaRowsRenderWithTheTemplateAndTrainOnTheResponse() {
    Path dolly =
        write(
            dir,
            "dolly.json",
            "[{\"instruction\": \"Add.\", \"context\": \"2 and 3\", \"response\": \"5\","
                + " \"category\": \"math\"}]");
    Path alpaca = write(dir, "alpaca.csv", "instruction,input,output\nAdd.,2 and 3,5\n");

    TokenizedExample fromDolly = examples(spec().build(), dolly).get(0);
    TokenizedExample fromAlpaca = examples(spec().build(), alpaca).get(0);

    PromptTemplate.Rendered r =
        PromptTemplate.DOLLY.render(
            Map.of("instruction", "Add.", "input", "2 and 3", "response", "5"));
    long[] prompt = enc(r.prompt());
    long[] completion = enc(r.completion());
    assertThat(fromDolly.inputIds())
        .containsExactly(concat(new long[] {BOS}, prompt, completion, new long[] {EOS}));
    assertThat(fromDolly.labels())
        .containsExactly(concat(ignored(1 + prompt.length), completion, new long[] {EOS}));
    assertThat(fromAlpaca).isEqualTo(fromDolly);
    assertThat(tok.decode(completion)).isEqualTo("5\n\n### End");
  }

  @Test
  void userPromptTemplateMayUseAnyField() {
    Path file =
        write(
            dir,
            "d.jsonl",
            "{\"instruction\": \"Add.\", \"response\": \"5\", \"category\": \"math\"}\n");

    TokenizedExample e =
        examples(spec().promptTemplate("[{category}] {instruction}\n{response}").build(), file)
            .get(0);

    long[] prompt = enc("[math] Add.\n");
    assertThat(e.inputIds())
        .containsExactly(concat(new long[] {BOS}, prompt, enc("5"), new long[] {EOS}));
  }

  private static final String CONVERSATION =
      """
      <|im_start|>system
      Be brief.<|im_end|>
      <|im_start|>user
      Hi<|im_end|>
      <|im_start|>assistant
      """;

  @Test
  void chatTrainsOnlyTheAssistantTurnsRenderedByTheChatTemplate() {
    Path file =
        write(
            dir,
            "c.jsonl",
            "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Hello!\"},"
                + " {\"role\": \"user\", \"content\": \"Bye\"},"
                + " {\"role\": \"assistant\", \"content\": \"Bye.\"}]}\n");

    TokenizedExample e = examples(spec().build(), file).get(0);

    // The fixture template: <|im_start|>ROLE\nCONTENT<|im_end|>\n per message; no BOS, no EOS.
    long[] p1 = enc(CONVERSATION);
    long[] a1 = enc("Hello!<|im_end|>\n");
    long[] p2 = enc("<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
    long[] a2 = enc("Bye.<|im_end|>\n");
    assertThat(e.inputIds()).containsExactly(concat(p1, a1, p2, a2));
    assertThat(e.labels()).containsExactly(concat(ignored(p1.length), a1, ignored(p2.length), a2));
  }

  @Test
  void shareGptConversationsEqualTheSameMessages() {
    Path messages =
        write(
            dir,
            "m.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n");
    Path sharegpt =
        write(
            dir,
            "s.json",
            "[{\"conversations\": [{\"from\": \"human\", \"value\": \"Hi\"},"
                + " {\"from\": \"gpt\", \"value\": \"Hello!\"}]}]");

    assertThat(examples(spec().build(), sharegpt)).isEqualTo(examples(spec().build(), messages));
    assertThat(examples(spec().build(), messages).get(0).labels())
        .containsExactly(
            concat(
                ignored(enc("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n").length),
                enc("Hello!<|im_end|>\n")));
  }

  @Test
  void chatWithoutCompletionOnlyLossTrainsEverything() {
    Path file =
        write(
            dir,
            "c.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Yo\"}]}\n");

    TokenizedExample e = examples(spec().completionOnlyLoss(false).build(), file).get(0);

    long[] all = enc("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n");
    assertThat(e.inputIds()).containsExactly(all);
    assertThat(e.labels()).containsExactly(all);
  }

  @Test
  void truncationKeepsTheChosenEndAndIsCounted() {
    Path file =
        write(dir, "p.jsonl", "{\"prompt\": \"a b c d e f g h\", \"completion\": \" i j\"}\n");
    long[] ids = concat(new long[] {BOS}, enc("a b c d e f g h"), enc(" i j"), new long[] {EOS});
    int max = 6;

    DataPipeline right =
        DataPipeline.open(spec().maxSeqLength(max).build(), List.of(file), List.of(), tok, 1);
    DataPipeline left =
        DataPipeline.open(
            spec().maxSeqLength(max).truncationSide(TruncationSide.LEFT).build(),
            List.of(file),
            List.of(),
            tok,
            1);

    // The right end holds the completion: keeping the left drops every trained token.
    assertThatThrownBy(() -> right.train().check())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("No row of the training data has a token left to train on");
    ExampleIterator it = left.train().iterator();
    TokenizedExample kept = it.next();
    assertThat(it.hasNext()).isFalse();
    assertThat(kept.inputIds())
        .containsExactly(java.util.Arrays.copyOfRange(ids, ids.length - max, ids.length));
    assertThat(it.report().truncated()).isEqualTo(1);
    assertThat(it.report().longest()).isEqualTo(ids.length);
  }

  @Test
  void dropLongRowsDropsAndCountsThem() {
    Path file =
        write(
            dir,
            "t.jsonl",
            "{\"text\": \"short\"}\n{\"text\": \"a much longer row of text than the limit\"}\n");

    int shortLength = enc("short").length + 2;
    DataReport report =
        DataPipeline.open(
                spec().maxSeqLength(shortLength).dropLongRows(true).build(),
                List.of(file),
                List.of(),
                tok,
                1)
            .train()
            .check();

    assertThat(report.rows()).isEqualTo(2);
    assertThat(report.examples()).isEqualTo(1);
    assertThat(report.droppedTooLong()).isEqualTo(1);
  }

  @Test
  void allRowsTooLongFailsBeforeTraining() {
    Path file =
        write(
            dir, "t.jsonl", "{\"text\": \"one two three four\"}\n{\"text\": \"five six seven\"}\n");

    assertThatThrownBy(
            () ->
                DataPipeline.open(
                        spec().maxSeqLength(3).dropLongRows(true).build(),
                        List.of(file),
                        List.of(),
                        tok,
                        1)
                    .train()
                    .check())
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith(
                      "All 2 usable rows of the training data are longer than max_seq_length (3"
                          + " tokens; the longest has ");
              assertThat(e.fix()).contains("data.max_seq_length");
            });
  }

  @Test
  void emptyDataFailsWithAClearMessage() {
    Path empty = write(dir, "e.jsonl", "\n\n");
    Path header = write(dir, "e.csv", "text\n");

    assertThatThrownBy(
            () -> DataPipeline.open(spec().build(), List.of(empty, header), List.of(), tok, 1))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("The training data has no rows: ");
  }

  @Test
  void missingFieldAndWrongTypeNameFileLineAndField() {
    Path file =
        write(
            dir,
            "p.jsonl",
            """
            {"prompt": "a", "completion": "b"}
            {"prompt": "a"}
            {"prompt": "a", "completion": 7}
            {"prompt": "a", "completion": ""}
            """);

    assertThatThrownBy(() -> examples(spec().build(), file))
        .isInstanceOfSatisfying(
            BadRowException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo(
                      file
                          + " line 2, field 'completion': the field is missing: {\"prompt\":\"a\"}");
              assertThat(e.field()).contains("completion");
              assertThat(e.origin().line()).isEqualTo(2);
              assertThat(e.fix()).contains("data.skip_bad_rows: true");
            });

    DataReport report =
        DataPipeline.open(spec().skipBadRows(true).build(), List.of(file), List.of(), tok, 1)
            .train()
            .check();
    assertThat(report.rows()).isEqualTo(4);
    assertThat(report.examples()).isEqualTo(1);
    assertThat(report.skippedBadRows()).isEqualTo(3);
    assertThat(report.skippedExamples())
        .containsExactly(
            file + " line 2, field 'completion': the field is missing: {\"prompt\":\"a\"}",
            file
                + " line 3, field 'completion': expected a string, found a number:"
                + " {\"prompt\":\"a\",\"completion\":7}",
            file + " line 4, field 'completion': is empty: {\"prompt\":\"a\",\"completion\":\"\"}");
  }

  @Test
  void badChatTurnsNameTheTurn() {
    Path file =
        write(
            dir,
            "c.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\","
                + " \"content\": \"Yo\"}]}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": [1]}]}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"no answer\"}]}\n"
                + "{\"messages\": \"hello\"}\n");

    DataReport report =
        DataPipeline.open(spec().skipBadRows(true).build(), List.of(file), List.of(), tok, 1)
            .train()
            .check();

    assertThat(report.skippedExamples())
        .extracting(m -> m.substring(0, m.indexOf(':', file.toString().length())))
        .containsExactly(
            file + " line 2, field 'messages[0].content'",
            file + " line 3, field 'messages'",
            file + " line 4, field 'messages'");
    assertThat(report.skippedExamples().get(1)).contains("has no assistant turn");
    assertThat(report.skippedExamples().get(2))
        .contains("expected a non-empty list of turns, found a string");
  }

  @Test
  void nonUtf8RowsAreSkippedWhenAsked() {
    byte[] bad =
        "{\"text\": \"caf\u00e9\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] good = "{\"text\": \"ok\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path file = write(dir, "t.jsonl", concatBytes(good, bad));

    assertThatThrownBy(() -> examples(spec().build(), file))
        .isInstanceOf(BadRowException.class)
        .hasMessageStartingWith(file + " line 2: the line is not valid UTF-8");
    assertThat(
            DataPipeline.open(spec().skipBadRows(true).build(), List.of(file), List.of(), tok, 1)
                .train()
                .check()
                .skippedBadRows())
        .isEqualTo(1);
  }

  @Test
  void everyRowBadFailsEvenWhenSkipping() {
    Path file = write(dir, "t.jsonl", "{\"text\": \"ok\"}\n{\"text\": 1}\n");
    Path only = write(dir, "u.jsonl", "{\"text\": 1}\n{\"text\": 2}\n");

    assertThatThrownBy(
            () ->
                DataPipeline.open(
                        spec().skipBadRows(true).build(), List.of(only), List.of(), tok, 1)
                    .train()
                    .check())
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("Every one of the 2 rows of the training data is bad; the first: ");
    assertThat(
            DataPipeline.open(spec().skipBadRows(true).build(), List.of(file), List.of(), tok, 1)
                .train()
                .check()
                .examples())
        .isEqualTo(1);
  }

  private static byte[] concatBytes(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static Set<String> texts(Iterable<TokenizedExample> examples) {
    Set<String> out = new HashSet<>();
    for (TokenizedExample e : examples) {
      out.add(tok.decode(e.inputIds(), true));
    }
    return out;
  }

  @Test
  void evalSplitIsSeededExactAndDisjoint() {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      rows.append("{\"text\": \"row ").append(i).append("\"}\n");
    }
    Path file = write(dir, "t.jsonl", rows.toString());
    DataSpec split = spec().evalSplit(0.22).build();

    DataPipeline a = DataPipeline.open(split, List.of(file), List.of(), tok, 7);
    DataPipeline same = DataPipeline.open(split, List.of(file), List.of(), tok, 7);
    DataPipeline other = DataPipeline.open(split, List.of(file), List.of(), tok, 8);

    Set<String> train = texts(a.train());
    Set<String> eval = texts(a.eval());
    assertThat(a.heldOutRows()).isEqualTo(5); // ceil(0.22 * 20)
    assertThat(eval).hasSize(5);
    assertThat(train).hasSize(15).doesNotContainAnyElementsOf(eval);
    assertThat(texts(same.eval())).isEqualTo(eval);
    assertThat(texts(other.eval())).isNotEqualTo(eval);
  }

  @Test
  void evalFilesAreTheirOwnStream() {
    Path train = write(dir, "train.jsonl", "{\"text\": \"a\"}\n");
    Path eval = write(dir, "eval.csv", "text\nb\nc\n");

    DataPipeline data = DataPipeline.open(spec().build(), List.of(train), List.of(eval), tok, 1);

    assertThat(data.eval().check().examples()).isEqualTo(2);
    assertThat(
            DataPipeline.open(spec().build(), List.of(train), List.of(), tok, 1).eval().isPresent())
        .isFalse();
    assertThatThrownBy(
            () ->
                DataPipeline.open(
                    spec().evalSplit(0.5).build(), List.of(train), List.of(eval), tok, 1))
        .isInstanceOf(BadInputException.class)
        .hasMessage("Both evaluation files and data.eval_split were given.");
    assertThatThrownBy(
            () ->
                DataPipeline.open(spec().evalSplit(0.5).build(), List.of(train), List.of(), tok, 1))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("leaves no row for training");
  }

  @Test
  void formatOverrideAppliesToEveryFile() {
    Path file =
        write(dir, "t.jsonl", "{\"instruction\": \"x\", \"response\": \"y\", \"text\": \"z\"}\n");

    TokenizedExample e = examples(spec().format(DataFormat.TEXT).build(), file).get(0);

    assertThat(e.inputIds()).containsExactly(concat(new long[] {BOS}, enc("z"), new long[] {EOS}));
  }

  @Test
  void aConversationTheTemplateRejectsIsABadRow() throws java.io.IOException {
    Path model = dir.resolve("model");
    java.nio.file.Files.createDirectories(model);
    Path fixture = DataFixtures.dir("/fixtures/hf/tokenizer");
    for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
      java.nio.file.Files.copy(fixture.resolve(name), model.resolve(name));
    }
    write(
        model,
        "chat_template.jinja",
        """
        {% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}\
        {{ raise_exception('Roles must alternate user/assistant') }}{% endif %}\
        {{ m['role'] + ': ' + m['content'] + '\n' }}{% endfor %}\
        {% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}""");
    Path file =
        write(
            dir,
            "c.jsonl",
            """
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}
            {"messages": [{"role": "assistant", "content": "Yo"}, {"role": "assistant", "content": "Yo"}]}
            """);
    try (ModelTokenizer strict = ModelTokenizer.load(model)) {
      DataReport report =
          DataPipeline.open(spec().skipBadRows(true).build(), List.of(file), List.of(), strict, 1)
              .train()
              .check();

      assertThat(report.examples()).isEqualTo(1);
      assertThat(report.skippedExamples())
          .singleElement()
          .asString()
          .startsWith(
              file
                  + " line 2, field 'messages': the chat template rejects the conversation:"
                  + " Roles must alternate user/assistant");
    }
  }
}
