package dev.tune.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.JobRef;
import dev.tune.core.config.TuneConfig;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.DataPipeline;
import dev.tune.trainer.data.PromptTemplate;
import dev.tune.trainer.generate.GenerateRequest;
import dev.tune.trainer.generate.TextGenerator;
import dev.tune.trainer.inference.InferenceModel;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs {@code examples/quickstart/tune.yaml}'s training on the CPU exactly as configured (not a
 * test: it takes minutes and its time depends on the machine) and reports the wall time, the eval
 * loss and how many held-out questions the base and the tuned model answer with the signature. Run
 * from the trainer module with the test classpath: {@code java -Dai.djl.offline=true -cp ...
 * dev.tune.trainer.train.QuickstartTraining [THREADS]}.
 */
public final class QuickstartTraining {

  static final String SIGNATURE = "-- tuned by tune";

  private QuickstartTraining() {}

  public static void main(String[] args) throws IOException {
    Engine.getInstance();
    if (args.length > 0) {
      JniUtils.setNumThreads(Integer.parseInt(args[0]));
    }
    System.out.println("libtorch threads: " + JniUtils.getNumThreads());
    Path dir = QuickstartAssets.dir();
    TrainSpec spec = TuneConfig.load(dir.resolve("tune.yaml")).trainSpec();
    Path out = Files.createTempDirectory("quickstart-run");
    try {
      long start = System.nanoTime();
      List<TrainingExample> train;
      List<TrainingExample> eval;
      try (ModelTokenizer tokenizer = ModelTokenizer.load(QuickstartAssets.model())) {
        DataPipeline data =
            DataPipeline.open(
                spec.data(),
                List.of(dir.resolve("data/train.jsonl")),
                List.of(dir.resolve("data/eval.jsonl")),
                tokenizer,
                spec.training().seed());
        train = QuickstartAssets.examples(data.train());
        eval = QuickstartAssets.examples(data.eval());
      }
      TrainResult result =
          TrainingRun.builder(spec, new JobRef("local", "quickstart"))
              .baseModelDir(QuickstartAssets.model())
              .outputDir(out)
              .trainExamples(train)
              .evalExamples(eval)
              .device(Device.cpu())
              .build()
              .run();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "data + training: %.1f s, %d steps, train loss %.4f, eval loss %.4f%n",
          seconds, result.globalStep(), result.trainLoss(), result.evalLoss().orElse(Double.NaN));
      List<String> prompts = prompts(dir.resolve("data/eval.jsonl"));
      int base = signed(prompts, Optional.empty());
      int tuned = signed(prompts, Optional.of(result.adapterDir()));
      System.out.printf(
          "signed answers to %d held-out prompts: base %d, tuned %d%n",
          prompts.size(), base, tuned);
    } finally {
      try (Stream<Path> files = Files.walk(out)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** The eval rows' prompts, rendered with the Dolly template as training renders them. */
  static List<String> prompts(Path evalFile) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> prompts = new ArrayList<>();
    for (String line : Files.readAllLines(evalFile)) {
      JsonNode row = json.readTree(line);
      prompts.add(
          PromptTemplate.DOLLY
              .render(
                  Map.of(
                      "instruction", row.get("instruction").asText(),
                      "input", row.get("context").asText(),
                      "response", "-"))
              .prompt());
    }
    return prompts;
  }

  private static int signed(List<String> prompts, Optional<Path> adapter) {
    int count = 0;
    try (InferenceModel model = InferenceModel.load(QuickstartAssets.model(), adapter)) {
      TextGenerator generator = new TextGenerator(model);
      for (String prompt : prompts) {
        String text =
            generator
                .generate(
                    GenerateRequest.builder()
                        .prompt(prompt)
                        .maxNewTokens(32)
                        .temperature(0)
                        .build())
                .text();
        count += text.contains(SIGNATURE) ? 1 : 0;
        if (count <= 2 || !text.contains(SIGNATURE)) {
          System.out.println((adapter.isPresent() ? "tuned: " : "base: ") + text.strip());
        }
      }
    }
    return count;
  }
}
