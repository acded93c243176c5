package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.Tune;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tune predict}: sends prompts to an endpoint. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Send a prompt, or every prompt of a JSON Lines file, to an endpoint and print the",
      "generated text. File lines are a JSON string or {\"prompt\": .., \"max_tokens\": ..,",
      "\"temperature\": .., \"top_p\": .., \"top_k\": ..}; a line's values win over the options."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune predict --endpoint bot \"What is QLoRA?\"",
      "  tune predict --endpoint bot --stream --max-tokens 256 \"Tell me a story\"",
      "  tune predict --endpoint bot --file prompts.jsonl -o json"
    })
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--endpoint",
      required = true,
      paramLabel = "NAME",
      description = "The endpoint's name or id.")
  String endpoint;

  @Parameters(arity = "0..1", paramLabel = "PROMPT", description = "The prompt.")
  String prompt;

  @Option(names = "--file", paramLabel = "FILE", description = "A JSON Lines file of prompts.")
  Path file;

  @Option(
      names = "--stream",
      description =
          "Print the text as the endpoint produces it (whole answers where the provider cannot"
              + " stream).")
  boolean stream;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      description = "At most N new tokens. Default: 128.")
  Integer maxTokens;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "0 decodes greedily; above 0, sample. Default: 0.")
  Double temperature;

  @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling. Default: 1.")
  Double topP;

  @Option(
      names = "--top-k",
      paramLabel = "K",
      description = "Keep the K likeliest tokens. Default: 50.")
  Integer topK;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    Printer printer = root.printer();
    List<Prompt> prompts = prompts();
    try (Tune tune = ProviderSession.connectOptionalConfig(root)) {
      EndpointDescription target = tune.endpoints().find(endpoint);
      if (stream && printer.format() == OutputFormat.TEXT) {
        // JSON mode cannot stream into its one document; it prints the whole answers below.
        for (Prompt p : prompts) {
          if (prompts.size() > 1) {
            root.out().println("> " + p.text());
          }
          tune.predictStream(
              target.ref(),
              p,
              chunk -> {
                root.out().print(chunk);
                root.out().flush();
              });
          root.out().println();
          root.out().flush();
        }
        return 0;
      }
      List<Prediction> answers = tune.predict(target.ref(), prompts);
      printer.result(text(prompts, answers), () -> json(target, prompts, answers));
      return 0;
    }
  }

  private List<Prompt> prompts() {
    if ((prompt == null) == (file == null)) {
      throw new BadInputException(
          prompt == null
              ? "No prompt: give one as an argument or --file FILE."
              : "Both a prompt and --file were given.",
          "Give either \"PROMPT\" or --file prompts.jsonl.");
    }
    PromptSettings settings = new PromptSettings(maxTokens, temperature, topP, topK);
    return prompt != null ? List.of(settings.apply(prompt)) : PromptFile.read(file, settings);
  }

  private static String text(List<Prompt> prompts, List<Prediction> answers) {
    if (prompts.size() == 1) {
      return answers.get(0).text();
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < prompts.size(); i++) {
      if (i > 0) {
        b.append("\n\n");
      }
      b.append("> ").append(prompts.get(i).text()).append('\n').append(answers.get(i).text());
    }
    return b.toString();
  }

  private static ObjectNode json(
      EndpointDescription target, List<Prompt> prompts, List<Prediction> answers) {
    ObjectNode json = Printer.object();
    json.put("endpoint", target.ref().id());
    ArrayNode predictions = json.putArray("predictions");
    for (int i = 0; i < prompts.size(); i++) {
      predictions
          .addObject()
          .put("prompt", prompts.get(i).text())
          .put("text", answers.get(i).text());
    }
    return json;
  }
}
