package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.trainer.generate.GenerateRequest;
import dev.tune.trainer.generate.GeneratedText;
import dev.tune.trainer.generate.TextGenerator;
import dev.tune.trainer.inference.InferenceModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune generate}: continues a prompt with a model (optionally with a LoRA adapter). */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Continue a prompt with a model, optionally with a LoRA adapter, decoding with",
      "a key/value cache until an end-of-sequence token or --max-new-tokens.",
      "Settings not given come from the model's generation_config.json, else",
      "transformers' defaults (greedy). Only the new text is printed."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune generate --model ./merged --prompt 'The capital of France is'",
      "  tune generate --model ./base --adapter ./adapter --chat --prompt 'Hello'",
      "  tune generate --model M --prompt 'Once' --temperature 0.8 --top-p 0.95 --seed 1",
      "  tune generate --model M --prompt 'Hi' -o json   {\"text\": .., \"token_ids\": [..]}"
    })
final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "The Hugging Face model directory.")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "A LoRA adapter to apply.")
  Path adapter;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
  String prompt;

  @Option(
      names = "--max-new-tokens",
      paramLabel = "N",
      description =
          "At most N new tokens. Default: the generation config's, else "
              + TextGenerator.DEFAULT_MAX_NEW_TOKENS
              + ".")
  Integer maxNewTokens;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "0 for greedy decoding; above 0, sample. Default: greedy, or the config's.")
  Double temperature;

  @Option(
      names = "--top-p",
      paramLabel = "P",
      description = "Sample from the most likely tokens whose probability reaches P. Default: 1.")
  Double topP;

  @Option(
      names = "--top-k",
      paramLabel = "K",
      description = "Sample from the K most likely tokens; 0 keeps all. Default: 50.")
  Integer topK;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Seed of the sampling; the same seed gives the same text. Default: random.")
  Long seed;

  @Option(
      names = "--chat",
      description = "Send the prompt as a user message through the model's chat template.")
  boolean chat;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    GenerateRequest.Builder request = GenerateRequest.builder().prompt(prompt).chat(chat);
    if (maxNewTokens != null) {
      request.maxNewTokens(maxNewTokens);
    }
    if (temperature != null) {
      request.temperature(temperature);
    }
    if (topP != null) {
      request.topP(topP);
    }
    if (topK != null) {
      request.topK(topK);
    }
    if (seed != null) {
      request.seed(seed);
    }
    GeneratedText out = generate(request.build());
    if (root.verbose()) {
      printer.note(
          String.format(
              Locale.ROOT,
              "generate: %d prompt tokens, %d new, stopped at %s, seed %d",
              out.promptTokens(),
              out.tokenIds().size(),
              out.finishReason().name().toLowerCase(Locale.ROOT),
              out.seed()));
    }
    printer.result(out.text(), () -> json(out));
    return 0;
  }

  private GeneratedText generate(GenerateRequest request) {
    try (InferenceModel loaded = InferenceModel.load(model, Optional.ofNullable(adapter))) {
      return new TextGenerator(loaded).generate(request);
    }
  }

  private static ObjectNode json(GeneratedText out) {
    ObjectNode json = Printer.object();
    json.put("text", out.text());
    out.tokenIds().forEach(json.putArray("token_ids")::add);
    json.put("finish_reason", out.finishReason().name().toLowerCase(Locale.ROOT));
    return json;
  }
}
