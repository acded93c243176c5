package dev.tune.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tune.core.ModelRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.artifact.HfUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.error.BadInputException;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.train.ComputeDtype;
import dev.tune.core.train.DataFormat;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.EarlyStopping;
import dev.tune.core.train.EvalStrategy;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.core.train.TruncationSide;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneConfigLoaderTest {
  private static final Path DIR = Path.of("/work/project");
  private static final String MINIMAL =
      """
      model:
        base: hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main
      data:
        train: data/train.jsonl
      output:
        name: tinyllama-support
      """;

  private final TuneConfigLoader loader = TuneConfigLoader.create().withEnvironment(Map.of());

  private TuneConfig parse(String yaml) {
    return loader.parse(yaml, "tune.yaml", DIR);
  }

  private List<ConfigProblem> problems(String yaml) {
    return problems(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private List<ConfigProblem> problems(byte[] yaml) {
    try {
      loader.parse(yaml, "tune.yaml", DIR);
    } catch (InvalidConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the file to be invalid");
  }

  @Test
  void minimalFileGetsQloraPeftAndTrainerDefaults() {
    TuneConfig config = parse(MINIMAL);
    TrainSpec spec = config.trainSpec();

    assertThat(spec.model().source())
        .isEqualTo(HfUri.model("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "main"));
    assertThat(spec.model().token()).isEmpty();
    assertThat(spec.quantization()).isEqualTo(QuantizationSpec.qlora());
    assertThat(spec.lora()).isEqualTo(LoraSpec.defaults());
    assertThat(spec.data().train()).isEqualTo(new FileUri(DIR.resolve("data/train.jsonl")));
    assertThat(spec.data().format()).isEqualTo(DataFormat.AUTO);
    assertThat(spec.training()).isEqualTo(TrainingArguments.defaults());
    assertThat(spec.output().name()).isEqualTo("tinyllama-support");
    assertThat(spec.output().dir()).isEmpty();
    assertThat(config.provider().name()).isEqualTo("local");
    assertThat(config.deploy().endpointName()).isEqualTo("tinyllama-support");
    assertThat(config.deploy().minReplicas()).isEqualTo(1);
    assertThat(config.source()).isEqualTo("tune.yaml");
  }

  @Test
  void everyKeyIsRead() {
    TuneConfig config =
        parse(
            EveryKeyYaml.MODEL_QUANTIZATION_LORA
                + """
            data:
              train: gs://data-bucket/train.jsonl
              eval: hf://datasets/org/chats@v1/eval.jsonl
              format: chat
              max_seq_length: 2048
            """
                + EveryKeyYaml.TRAINING
                + """
            output:
              name: llama-support
              dir: s3://models-bucket/out
              merge_adapter: false
            provider:
              name: vertex
              local:
                work_dir: .tune
              vertex:
                project: my-project-1
                region: us-central1
                bucket: gs://my-bucket/tune
                service_account: tune@my-project-1.iam.gserviceaccount.com
                image: us-docker.pkg.dev/my-project-1/tune/tune:0.1.0
                train_machine:
                  type: g2-standard-8
                  accelerator_type: NVIDIA_L4
                  accelerator_count: 1
                  spot: true
                deploy_machine:
                  type: g2-standard-4
                  accelerator_type: NVIDIA_L4
            deploy:
              endpoint_name: support
              model: "12345"
              min_replicas: 1
              max_replicas: 3
            """);
    TrainSpec spec = config.trainSpec();

    assertThat(spec.model().token().orElseThrow().value()).isEqualTo("hf_literal_token");
    assertThat(spec.quantization())
        .isEqualTo(new QuantizationSpec(true, QuantType.NF4, false, ComputeDtype.FLOAT16));
    assertThat(spec.lora())
        .isEqualTo(new LoraSpec(16, 32, 0.05, List.of("q_proj", "k_proj", "v_proj", "o_proj")));
    assertThat(spec.data().eval())
        .contains(ArtifactUri.parse("hf://datasets/org/chats@v1/eval.jsonl"));
    assertThat(spec.data().format()).isEqualTo(DataFormat.CHAT);
    assertThat(spec.data().maxSeqLength()).isEqualTo(2048);
    assertThat(spec.training()).isEqualTo(EveryKeyYaml.TRAINING_ARGUMENTS);
    assertThat(spec.output().dir()).contains(ArtifactUri.parse("s3://models-bucket/out"));
    assertThat(spec.output().mergeAdapter()).isFalse();
    assertThat(config.provider().name()).isEqualTo("vertex");
    assertThat(config.provider().local().workDir()).isEqualTo(DIR.resolve(".tune"));
    assertThat(config.provider().vertex().project()).contains("my-project-1");
    assertThat(config.provider().trainMachine())
        .isEqualTo(new MachineSpec("g2-standard-8", Optional.of("NVIDIA_L4"), 1, true));
    assertThat(config.provider().deployMachine().acceleratorCount()).isEqualTo(1);
    assertThat(config.deployModel()).contains(new ModelRef("vertex", "12345"));
    DeploySpec deploy = config.deploySpec(new ModelRef("vertex", "12345"));
    assertThat(deploy.endpointName()).isEqualTo("support");
    assertThat(deploy.maxReplicas()).isEqualTo(3);
    assertThat(deploy.machine().type()).isEqualTo("g2-standard-4");
  }

  @Test
  void quantizationNoneAndAllLinearShorthand() {
    TuneConfig config =
        parse(MINIMAL + "quantization: none\nlora:\n  target_modules: all-linear\n");

    assertThat(config.trainSpec().quantization()).isEqualTo(QuantizationSpec.none());
    assertThat(config.trainSpec().lora().targetsAllLinear()).isTrue();
  }

  @Test
  void providerShorthandAndOverride() {
    String sagemaker =
        MINIMAL
            + """
            provider:
              name: local
              sagemaker:
                region: eu-west-1
                role_arn: arn:aws:iam::123456789012:role/Tune
                bucket: s3://tune-bucket/runs
                train_machine: {type: ml.g5.2xlarge, spot: true}
            """;

    assertThat(parse(MINIMAL + "provider: local\n").provider().name()).isEqualTo("local");
    assertThat(
            parse(MINIMAL + "provider:\n  local:\n    work_dir: ~/runs\n")
                .provider()
                .local()
                .workDir())
        .isEqualTo(Path.of(System.getProperty("user.home"), "runs"));
    TuneConfig overridden = loader.withProvider("sagemaker").parse(sagemaker, "tune.yaml", DIR);
    assertThat(overridden.provider().name()).isEqualTo("sagemaker");
    assertThat(overridden.provider().trainMachine().type()).isEqualTo("ml.g5.2xlarge");
    assertThatThrownBy(() -> loader.withProvider("vertx"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("Known providers: local, sagemaker,");
  }

  @Test
  void wrongTypesAreReportedWithPositionValueAndWhatIsAllowed() {
    List<ConfigProblem> problems =
        problems(
            MINIMAL
                + """
                lora:
                  r: eight
                  target_modules: q_proj
                training:
                  bf16: maybe
                  learning_rate: fast
                  max_steps: 1.5
                """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::line, ConfigProblem::column)
        .containsExactly(
            tuple("lora.r", 8, 6),
            tuple("lora.target_modules", 9, 19),
            tuple("training.bf16", 11, 9),
            tuple("training.learning_rate", 12, 18),
            tuple("training.max_steps", 13, 14));
    assertThat(problems.get(0).toString())
        .isEqualTo("tune.yaml:8:6: lora.r: \"eight\" is not an integer (allowed: an integer)");
    assertThat(problems.get(1).message()).isEqualTo("is a string");
    assertThat(problems.get(1).allowed()).contains("a list of strings");
    assertThat(problems.get(2).allowed()).isEqualTo("true or false");
    assertThat(problems.get(3).value()).contains("fast");
  }

  @Test
  void unknownKeysGetDidYouMeanSuggestions() {
    List<ConfigProblem> problems =
        problems(
            MINIMAL
                + """
                lora:
                  alpah: 16
                  lora_dropout: 0.1
                training:
                  learnig-rate: 1e-4
                  num_epochs: 2
                learning_rate: 1e-4
                deploy:
                  replicas: 2
                """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::suggestion)
        .containsExactly(
            tuple("lora.alpah", Optional.of("alpha")),
            tuple("lora.lora_dropout", Optional.of("dropout")),
            tuple("training.learnig-rate", Optional.of("learning_rate")),
            tuple("training.num_epochs", Optional.of("num_train_epochs")),
            tuple("learning_rate", Optional.of("training.learning_rate")),
            tuple("deploy.replicas", Optional.empty()));
    assertThat(problems.get(0).toString())
        .isEqualTo(
            "tune.yaml:8:3: lora.alpah: is not a known key; did you mean 'alpha'?"
                + " (allowed: one of r, alpha, dropout, target_modules)");
    assertThat(problems.get(5).allowed())
        .isEqualTo("one of endpoint_name, model, min_replicas, max_replicas");
  }

  @Test
  void missingRequiredKeysAreAllReported() {
    List<ConfigProblem> problems = problems("lora:\n  r: 4\n");

    assertThat(problems)
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder("model.base", "data.train", "output.name");
    assertThat(problems).allMatch(p -> p.message().equals("is required but missing"));
    assertThat(problems).allMatch(p -> p.value().isEmpty());
    assertThat(problems).allMatch(p -> p.line() == 1 && p.column() == 1);
  }

  @Test
  void badUrisAreReportedWithTheReason() {
    List<ConfigProblem> problems =
        problems(
            """
            model:
              base: hf://no-org-model
            data:
              train: s3://Data_Bucket/train.jsonl
            output:
              name: x
            provider:
              sagemaker:
                bucket: gs://a-gcs-bucket/tune
            """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::line, ConfigProblem::column)
        .containsExactly(
            tuple("model.base", 2, 9),
            tuple("data.train", 4, 10),
            tuple("provider.sagemaker.bucket", 9, 13));
    assertThat(problems.get(0).message()).contains("a Hub repository is named ORG/NAME");
    assertThat(problems.get(1).message()).contains("bucket name 'Data_Bucket'");
    assertThat(problems.get(1).allowed()).contains("hf://ORG/NAME@REVISION");
    assertThat(problems.get(2).message()).isEqualTo("is the wrong kind of URI");
    assertThat(problems.get(2).allowed()).isEqualTo("s3://BUCKET/PREFIX");
  }

  @Test
  void badEnumValuesListTheAllowedOnesAndSuggest() {
    List<ConfigProblem> problems =
        problems(
            MINIMAL
                + """
                quantization:
                  bnb_4bit_quant_type: fp4
                training:
                  optim: adamw-8bit
                  lr_scheduler_type: cosine_annealing
                """);

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0).allowed()).isEqualTo("nf4");
    assertThat(problems.get(1).suggestion()).contains("adamw_8bit");
    assertThat(problems.get(1).allowed()).isEqualTo("adamw_torch, adamw_8bit, paged_adamw_8bit");
    assertThat(problems.get(2).suggestion()).isEmpty();
    assertThat(problems.get(2).allowed())
        .isEqualTo("linear, cosine, constant, constant_with_warmup");
  }

  @Test
  void outOfRangeValuesPointAtTheirLine() {
    List<ConfigProblem> problems =
        problems(
            MINIMAL
                + """
                training:
                  learning_rate: -1
                  bf16: true
                  fp16: true
                lora:
                  dropout: 1.5
                deploy:
                  min_replicas: 3
                  max_replicas: 2
                """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactly(
            tuple("training.learning_rate", 8),
            tuple("training.fp16", 10),
            tuple("lora.dropout", 12),
            tuple("deploy.max_replicas", 15));
    assertThat(problems.get(0).toString())
        .isEqualTo(
            "tune.yaml:8:18: training.learning_rate: \"-1\" is not allowed (allowed: a number > 0)");
    assertThat(problems.get(1).allowed()).contains("false when bf16 is true");
  }

  @Test
  void evalStrategyAndEarlyStoppingBindAndRenderBack() {
    TuneConfig config =
        parse(
            MINIMAL
                + """
                training:
                  eval_strategy: epoch
                  early_stopping: {patience: 3, min_delta: 0.01}
                """);

    TrainingArguments training = config.trainSpec().training();
    assertThat(training.evalStrategy()).isEqualTo(EvalStrategy.EPOCH);
    assertThat(training.earlyStopping()).contains(new EarlyStopping(3, 0.01));
    assertThat(config.toJsonTree().get("training").get("eval_strategy").asText())
        .isEqualTo("epoch");
    assertThat(parse(config.toJson()).trainSpec()).isEqualTo(config.trainSpec());
  }

  @Test
  void earlyStoppingDefaultsToTransformersCallbackAndIsOffUnlessSet() {
    TuneConfig defaults = parse(MINIMAL);
    TuneConfig patienceOnly = parse(MINIMAL + "training:\n  early_stopping:\n    patience: 2\n");

    assertThat(defaults.trainSpec().training().evalStrategy()).isEqualTo(EvalStrategy.STEPS);
    assertThat(defaults.trainSpec().training().earlyStopping()).isEmpty();
    assertThat(defaults.toJsonTree().get("training").has("early_stopping")).isFalse();
    assertThat(parse(defaults.toJson()).trainSpec()).isEqualTo(defaults.trainSpec());
    assertThat(patienceOnly.trainSpec().training().earlyStopping())
        .contains(new EarlyStopping(2, 0.0));
  }

  @Test
  void badEarlyStoppingSettingsPointAtTheirKeys() {
    List<ConfigProblem> problems =
        problems(
            MINIMAL
                + """
                training:
                  eval_strategy: sometimes
                  early_stopping:
                    patience: 0
                    min_delta: -0.5
                    patients: 2
                """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactlyInAnyOrder(
            tuple("training.eval_strategy", 8),
            tuple("training.early_stopping.patience", 10),
            tuple("training.early_stopping.min_delta", 11),
            tuple("training.early_stopping.patients", 12));
    assertThat(problems)
        .filteredOn(p -> p.path().equals("training.eval_strategy"))
        .singleElement()
        .satisfies(p -> assertThat(p.allowed()).isEqualTo("no, steps, epoch"));
  }

  @Test
  void earlyStoppingNeedsEvaluations() {
    List<ConfigProblem> problems =
        problems(
            MINIMAL
                + """
                training:
                  eval_strategy: "no"
                  early_stopping: {patience: 2}
                """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactly(tuple("training.eval_strategy", 8));
    assertThat(problems.get(0).allowed()).contains("early stopping needs evaluations");
  }

  @Test
  void chosenProviderMustHaveWhatItNeeds() {
    List<ConfigProblem> problems =
        problems(MINIMAL + "provider:\n  name: vertex\n  vertex:\n    region: us-central1\n");

    assertThat(problems)
        .extracting(ConfigProblem::path)
        .containsExactly("provider.vertex.project", "provider.vertex.bucket");
    assertThat(problems).allMatch(p -> p.line() == 9 && p.column() == 3);
  }

  @Test
  void unknownProviderNameIsReportedWithSuggestion() {
    List<ConfigProblem> problems = problems(MINIMAL + "provider:\n  name: sagemkaer\n");

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).path()).isEqualTo("provider.name");
    assertThat(problems.get(0).suggestion()).contains("sagemaker");
  }

  @Test
  void yamlSyntaxErrorHasItsPosition() {
    List<ConfigProblem> problems = problems("model:\n  base: [hf://a/b\ndata: x\n");

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).message()).startsWith("is not valid YAML");
    assertThat(problems.get(0).line()).isEqualTo(3);
  }

  @Test
  void tabIndentationIsASyntaxErrorOnItsLine() {
    List<ConfigProblem> problems = problems("model:\n\tbase: hf://a/b\n");

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(2);
              assertThat(p.column()).isEqualTo(1);
              assertThat(p.message()).contains("TAB");
            });
  }

  @Test
  void emptyAndCommentOnlyFilesSayTheyAreEmpty() {
    assertThat(problems(""))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("the file is empty"));
    assertThat(problems("# nothing here\n\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("the file is empty"));
  }

  @Test
  void binaryFilesAreRejectedBeforeParsing() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    byte[] latin1 = "model: caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);

    assertThat(problems(png))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message()).startsWith("the file is not a text file");
              assertThat(p.line()).isEqualTo(1);
            });
    assertThat(problems(latin1))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("not valid UTF-8"));
  }

  @Test
  void aFileThatIsNotAMappingIsRejected() {
    assertThat(problems("- model\n- data\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("a list, not a mapping"));
  }

  @Test
  void duplicateKeysAndAliasesAreReported() {
    List<ConfigProblem> problems =
        problems(MINIMAL + "lora:\n  r: 4\n  r: 8\n  alpha: &a 16\n  dropout: *a\n");

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            tuple("lora.r", "is a duplicate key; the first one is kept"),
            tuple("lora.dropout", "YAML aliases are not supported"));
  }

  @Test
  void quantizationMustBeNoneOrAMapping() {
    assertThat(problems(MINIMAL + "quantization: 4bit\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("quantization");
              assertThat(p.message()).isEqualTo("is neither 'none' nor a mapping");
            });
  }

  @Test
  void sectionOfTheWrongShape() {
    assertThat(problems(MINIMAL + "training: fast\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("training");
              assertThat(p.allowed()).isEqualTo("a mapping of keys to values");
            });
  }

  @Test
  void environmentVariablesAreResolvedAndNeverShown() {
    TuneConfig config =
        TuneConfigLoader.create()
            .withEnvironment(Map.of("HF_TOKEN", "hf_secret_value", "BUCKET", "private-bucket"))
            .parse(
                MINIMAL.replace(
                        "name: tinyllama-support",
                        "name: tinyllama-support\n  dir: s3://${BUCKET}/out")
                    + "provider:\n  sagemaker:\n    region: ${AWS_REGION:-us-east-1}\n",
                "tune.yaml",
                DIR);
    TuneConfig withToken =
        TuneConfigLoader.create()
            .withEnvironment(Map.of("HF_TOKEN", "hf_secret_value"))
            .parse(MINIMAL.replace("main\n", "main\n  token: ${HF_TOKEN}\n"), "tune.yaml", DIR);

    assertThat(config.trainSpec().output().dir())
        .contains(ArtifactUri.parse("s3://private-bucket/out"));
    assertThat(config.provider().sagemaker().region()).contains("us-east-1");
    assertThat(config.toString()).doesNotContain("private-bucket").contains("\"dir\" : \"****\"");
    assertThat(config.toJson()).contains("\"region\" : \"us-east-1\"");
    assertThat(withToken.trainSpec().model().token().orElseThrow().value())
        .isEqualTo("hf_secret_value");
    assertThat(withToken.toJson())
        .doesNotContain("hf_secret_value")
        .contains("\"token\" : \"****\"");
    assertThat(withToken.trainSpec().toString()).doesNotContain("hf_secret_value");
  }

  @Test
  void unsetEnvironmentVariableIsAProblemThatNamesIt() {
    List<ConfigProblem> problems =
        problems(MINIMAL.replace("main\n", "main\n  token: ${HF_TOKEN}\n"));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("model.token");
              assertThat(p.message()).contains("HF_TOKEN, which is not set");
              assertThat(p.line()).isEqualTo(3);
            });
  }

  @Test
  void secretValuesAreMaskedInProblemsToo() {
    List<ConfigProblem> problems =
        TuneConfigLoaderTest.problemsWith(
            Map.of("STEPS", "many"), MINIMAL + "training:\n  max_steps: ${STEPS}\n");

    assertThat(problems).singleElement().satisfies(p -> assertThat(p.value()).contains("****"));
  }

  private static List<ConfigProblem> problemsWith(Map<String, String> env, String yaml) {
    try {
      TuneConfigLoader.create().withEnvironment(env).parse(yaml, "tune.yaml", DIR);
    } catch (InvalidConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the file to be invalid");
  }

  @Test
  void effectiveJsonReadsBackToTheSameConfig() {
    TuneConfig config =
        parse(
            MINIMAL
                + """
                lora: {r: 16, target_modules: [q_proj, v_proj]}
                training: {learning_rate: 2e-4, optim: adamw_8bit}
                provider:
                  name: sagemaker
                  sagemaker:
                    region: us-east-1
                    role_arn: arn:aws:iam::123456789012:role/Tune
                    bucket: s3://tune-bucket
                """);

    TuneConfig again = parse(config.toJson());

    assertThat(again.trainSpec()).isEqualTo(config.trainSpec());
    assertThat(again.provider()).isEqualTo(config.provider());
    assertThat(again.deploy()).isEqualTo(config.deploy());
    assertThat(config.toJsonTree().get("training").get("learning_rate").asDouble()).isEqualTo(2e-4);
  }

  @Test
  void loadResolvesRelativePathsAgainstTheFilesDirectory(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("sub/tune.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, MINIMAL);

    TuneConfig config = loader.load(file);

    assertThat(config.trainSpec().data().train())
        .isEqualTo(new FileUri(dir.resolve("sub/data/train.jsonl")));
  }

  @Test
  void missingFileIsBadInputWithAFix(@TempDir Path dir) {
    assertThatThrownBy(() -> loader.load(dir.resolve("tune.yaml")))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> {
              assertThat(e.getMessage()).endsWith("tune.yaml does not exist.");
              assertThat(e.fix()).contains("tune init");
            });
  }

  @Test
  void exceptionMessageListsEveryProblem() {
    assertThatThrownBy(() -> parse("lora:\n  r: x\n"))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e -> {
              assertThat(e.getMessage()).startsWith("tune.yaml has 4 problems:\n  tune.yaml:1:1:");
              assertThat(e.exitCode()).isEqualTo(2);
            });
  }

  @Test
  void dataPipelineKeysAreReadWithTheirDefaults() {
    DataSpec defaults = parse(MINIMAL).trainSpec().data();
    assertThat(defaults.textField()).isEmpty();
    assertThat(defaults.promptTemplate()).isEmpty();
    assertThat(defaults.evalSplit()).isZero();
    assertThat(defaults.packing()).isFalse();
    assertThat(defaults.truncationSide()).isEqualTo(TruncationSide.RIGHT);
    assertThat(defaults.dropLongRows()).isFalse();
    assertThat(defaults.skipBadRows()).isFalse();
    assertThat(defaults.completionOnlyLoss()).isTrue();

    DataSpec data =
        parse(
                """
                model:
                  base: hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main
                data:
                  train: data/*.jsonl
                  format: instruction
                  max_seq_length: 512
                  text_field: example
                  prompt_template: "Q: {instruction}\\nA: {response}"
                  eval_split: 0.1
                  packing: true
                  truncation_side: left
                  drop_long_rows: true
                  skip_bad_rows: true
                  completion_only_loss: false
                output:
                  name: tinyllama-support
                """)
            .trainSpec()
            .data();

    assertThat(data.train()).isEqualTo(new FileUri(DIR.resolve("data/*.jsonl")));
    assertThat(data.format()).isEqualTo(DataFormat.INSTRUCTION);
    assertThat(data.maxSeqLength()).isEqualTo(512);
    assertThat(data.textField()).contains("example");
    assertThat(data.promptTemplate()).contains("Q: {instruction}\nA: {response}");
    assertThat(data.evalSplit()).isEqualTo(0.1);
    assertThat(data.packing()).isTrue();
    assertThat(data.truncationSide()).isEqualTo(TruncationSide.LEFT);
    assertThat(data.dropLongRows()).isTrue();
    assertThat(data.skipBadRows()).isTrue();
    assertThat(data.completionOnlyLoss()).isFalse();
  }

  @Test
  void badDataKeysPointAtTheirLine() {
    List<ConfigProblem> problems =
        problems(
            """
            model:
              base: hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main
            data:
              train: data/train.jsonl
              eval: data/eval.jsonl
              eval_split: 0.2
              prompt_template: "no placeholder"
              truncation_side: middle
              packing: maybe
            output:
              name: tinyllama-support
            """);

    assertThat(problems)
        .extracting(ConfigProblem::path, ConfigProblem::line)
        .containsExactlyInAnyOrder(
            tuple("data.truncation_side", 8),
            tuple("data.packing", 9),
            tuple("data.prompt_template", 7),
            tuple("data.eval_split", 6));
    assertThat(problems)
        .filteredOn(p -> p.path().equals("data.eval_split"))
        .singleElement()
        .satisfies(p -> assertThat(p.allowed()).contains("0 when data.eval is set"));
    assertThat(problems)
        .filteredOn(p -> p.path().equals("data.truncation_side"))
        .singleElement()
        .satisfies(p -> assertThat(p.allowed()).isEqualTo("right, left"));
  }

  @Test
  void dataKeysSurviveTheEffectiveJson() {
    TuneConfig config =
        parse(
            """
            model:
              base: hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main
            data:
              train: data/train.jsonl
              packing: true
              eval_split: 0.05
              text_field: body
              truncation_side: left
            output:
              name: tinyllama-support
            """);

    assertThat(parse(config.toJson()).trainSpec().data()).isEqualTo(config.trainSpec().data());
    assertThat(config.trainSpec().data().packing()).isTrue();
  }
}
