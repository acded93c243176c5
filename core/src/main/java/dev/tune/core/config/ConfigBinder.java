package dev.tune.core.config;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.artifact.S3Uri;
import dev.tune.core.config.YamlNode.Mapping;
import dev.tune.core.config.YamlNode.Scalar;
import dev.tune.core.config.YamlNode.ScalarKind;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.provider.SageMakerSettings;
import dev.tune.core.provider.VertexSettings;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.ComputeDtype;
import dev.tune.core.train.DataFormat;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.EarlyStopping;
import dev.tune.core.train.EvalStrategy;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.LrSchedulerType;
import dev.tune.core.train.Optimizer;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.QuantType;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.Secret;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.core.train.TruncationSide;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Binds the sections of a {@code tune.yaml} tree to the spec records. Each section is read in full
 * even after a problem, so that one run reports everything.
 */
final class ConfigBinder {
  private final Reading reading;
  private final Section root;
  private final Optional<String> providerOverride;
  private final Set<String> providerNames;

  ConfigBinder(
      Reading reading, Mapping root, Optional<String> providerOverride, Set<String> providerNames) {
    this.reading = reading;
    this.root = new Section(reading, "", Optional.of(root), root.location());
    this.providerOverride = providerOverride;
    this.providerNames = providerNames;
  }

  /** The bound config parts, or empty if any problem was found. */
  Optional<Bound> bind() {
    Optional<BaseModel> model = model(root.section("model"));
    Optional<QuantizationSpec> quantization = quantization();
    Optional<LoraSpec> lora = lora(root.section("lora"));
    Optional<DataSpec> data = data(root.section("data"));
    Optional<TrainingArguments> training = training(root.section("training"));
    Optional<OutputSpec> output = output(root.section("output"));
    Optional<ProviderSettings> provider = provider();
    Optional<DeploySettings> deploy = deploy(root.section("deploy"), output.map(OutputSpec::name));
    reading.reportUnknownKeys();
    if (!reading.problems().isEmpty()) {
      return Optional.empty();
    }
    TrainSpec train =
        new TrainSpec(
            model.orElseThrow(),
            quantization.orElseThrow(),
            lora.orElseThrow(),
            data.orElseThrow(),
            training.orElseThrow(),
            output.orElseThrow());
    return Optional.of(new Bound(train, provider.orElseThrow(), deploy.orElseThrow()));
  }

  /**
   * Only the sections of a {@link TrainSpec}, or empty if any problem was found. The provider and
   * deploy sections may be present (a tree from {@link TuneConfig#toJsonTree()}) and are skipped.
   */
  Optional<TrainSpec> bindTrain() {
    Optional<BaseModel> model = model(root.section("model"));
    Optional<QuantizationSpec> quantization = quantization();
    Optional<LoraSpec> lora = lora(root.section("lora"));
    Optional<DataSpec> data = data(root.section("data"));
    Optional<TrainingArguments> training = training(root.section("training"));
    Optional<OutputSpec> output = output(root.section("output"));
    root.value("provider");
    root.value("deploy");
    reading.reportUnknownKeys();
    if (!reading.problems().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new TrainSpec(
            model.orElseThrow(),
            quantization.orElseThrow(),
            lora.orElseThrow(),
            data.orElseThrow(),
            training.orElseThrow(),
            output.orElseThrow()));
  }

  /** What a valid file binds to. */
  record Bound(TrainSpec train, ProviderSettings provider, DeploySettings deploy) {}

  private Optional<BaseModel> model(Section s) {
    Optional<ArtifactUri> base = s.uri("base");
    Optional<Secret> token = s.string("token").filter(t -> !t.isEmpty()).map(Secret::new);
    if (!s.has("base")) {
      s.missing(
          "base", "the model to fine-tune, e.g. hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main");
    }
    return base.map(b -> new BaseModel(b, token));
  }

  private Optional<QuantizationSpec> quantization() {
    Optional<YamlNode> value = root.value("quantization");
    if (value.isPresent()
        && value.get() instanceof Scalar s
        && s.kind() == ScalarKind.STRING
        && s.text().strip().equals("none")) {
      // Read an empty section so that the quantization keys stay known for suggestions.
      new Section(reading, "quantization", Optional.empty(), s.location());
      return Optional.of(QuantizationSpec.none());
    }
    if (value.isPresent() && !(value.get() instanceof Mapping)) {
      reading
          .problems()
          .add(
              "quantization",
              value.get().location(),
              value.get() instanceof Scalar s ? Optional.of(s.shown()) : Optional.empty(),
              "is neither 'none' nor a mapping",
              "none, or a mapping of load_in_4bit, bnb_4bit_quant_type, bnb_4bit_use_double_quant,"
                  + " bnb_4bit_compute_dtype");
      new Section(reading, "quantization", Optional.empty(), value.get().location());
      return Optional.empty();
    }
    Section s = root.section("quantization");
    QuantizationSpec qlora = QuantizationSpec.qlora();
    boolean loadIn4bit = s.bool("load_in_4bit").orElse(qlora.loadIn4bit());
    QuantType type = s.choice("bnb_4bit_quant_type", QuantType.class).orElse(qlora.quantType());
    boolean doubleQuant = s.bool("bnb_4bit_use_double_quant").orElse(qlora.useDoubleQuant());
    ComputeDtype dtype =
        s.choice("bnb_4bit_compute_dtype", ComputeDtype.class).orElse(qlora.computeDtype());
    return s.build(() -> new QuantizationSpec(loadIn4bit, type, doubleQuant, dtype));
  }

  private Optional<LoraSpec> lora(Section s) {
    LoraSpec defaults = LoraSpec.defaults();
    int r = s.integer("r").orElse(defaults.r());
    int alpha = s.integer("alpha").orElse(defaults.alpha());
    double dropout = s.number("dropout").orElse(defaults.dropout());
    List<String> modules = defaults.targetModules();
    Optional<YamlNode> written = s.value("target_modules");
    if (written.isPresent()
        && written.get() instanceof Scalar scalar
        && scalar.text().strip().equals(LoraSpec.ALL_LINEAR)) {
      modules = List.of(LoraSpec.ALL_LINEAR);
    } else {
      modules = s.strings("target_modules").orElse(modules);
    }
    List<String> targetModules = modules;
    return s.build(() -> new LoraSpec(r, alpha, dropout, targetModules));
  }

  private Optional<DataSpec> data(Section s) {
    Optional<ArtifactUri> train = s.uri("train");
    Optional<ArtifactUri> eval = s.uri("eval");
    Optional<DataFormat> format = s.choice("format", DataFormat.class);
    Optional<Integer> maxSeqLength = s.integer("max_seq_length");
    Optional<String> textField = s.string("text_field");
    Optional<String> promptTemplate = s.string("prompt_template");
    Optional<Double> evalSplit = s.number("eval_split");
    Optional<Boolean> packing = s.bool("packing");
    Optional<TruncationSide> truncationSide = s.choice("truncation_side", TruncationSide.class);
    Optional<Boolean> dropLongRows = s.bool("drop_long_rows");
    Optional<Boolean> skipBadRows = s.bool("skip_bad_rows");
    Optional<Boolean> completionOnlyLoss = s.bool("completion_only_loss");
    if (!s.has("train")) {
      s.missing(
          "train",
          "the training data: a JSON Lines, JSON, CSV, TSV or Parquet file, a directory or a"
              + " glob, as a path or URI");
    }
    return train.flatMap(
        t ->
            s.build(
                () -> {
                  DataSpec.Builder b = DataSpec.builder(t);
                  eval.ifPresent(b::eval);
                  format.ifPresent(b::format);
                  maxSeqLength.ifPresent(b::maxSeqLength);
                  textField.ifPresent(b::textField);
                  promptTemplate.ifPresent(b::promptTemplate);
                  evalSplit.ifPresent(b::evalSplit);
                  packing.ifPresent(b::packing);
                  truncationSide.ifPresent(b::truncationSide);
                  dropLongRows.ifPresent(b::dropLongRows);
                  skipBadRows.ifPresent(b::skipBadRows);
                  completionOnlyLoss.ifPresent(b::completionOnlyLoss);
                  return b.build();
                }));
  }

  private Optional<TrainingArguments> training(Section s) {
    TrainingArguments.Builder b = TrainingArguments.builder();
    s.number("learning_rate").ifPresent(b::learningRate);
    s.number("num_train_epochs").ifPresent(b::numTrainEpochs);
    s.integer("max_steps").ifPresent(b::maxSteps);
    s.integer("per_device_train_batch_size").ifPresent(b::perDeviceTrainBatchSize);
    s.integer("per_device_eval_batch_size").ifPresent(b::perDeviceEvalBatchSize);
    s.integer("gradient_accumulation_steps").ifPresent(b::gradientAccumulationSteps);
    s.integer("warmup_steps").ifPresent(b::warmupSteps);
    s.number("warmup_ratio").ifPresent(b::warmupRatio);
    s.choice("lr_scheduler_type", LrSchedulerType.class).ifPresent(b::lrSchedulerType);
    s.choice("optim", Optimizer.class).ifPresent(b::optim);
    s.number("weight_decay").ifPresent(b::weightDecay);
    s.number("adam_beta1").ifPresent(b::adamBeta1);
    s.number("adam_beta2").ifPresent(b::adamBeta2);
    s.number("adam_epsilon").ifPresent(b::adamEpsilon);
    s.number("max_grad_norm").ifPresent(b::maxGradNorm);
    s.bool("bf16").ifPresent(b::bf16);
    s.bool("fp16").ifPresent(b::fp16);
    s.bool("gradient_checkpointing").ifPresent(b::gradientCheckpointing);
    s.longInteger("seed").ifPresent(b::seed);
    s.integer("logging_steps").ifPresent(b::loggingSteps);
    s.integer("save_steps").ifPresent(b::saveSteps);
    s.integer("eval_steps").ifPresent(b::evalSteps);
    s.choice("eval_strategy", EvalStrategy.class).ifPresent(b::evalStrategy);
    Optional<EarlyStopping> earlyStopping = earlyStopping(s);
    earlyStopping.ifPresent(b::earlyStopping);
    return s.build(b::build);
  }

  /** {@code early_stopping: {patience, min_delta}}; either key may be left at its default. */
  private static Optional<EarlyStopping> earlyStopping(Section training) {
    if (!training.has("early_stopping")) {
      return Optional.empty();
    }
    Section s = training.section("early_stopping");
    int patience = s.integer("patience").orElse(EarlyStopping.DEFAULT_PATIENCE);
    double minDelta = s.number("min_delta").orElse(EarlyStopping.DEFAULT_MIN_DELTA);
    return training.build(() -> new EarlyStopping(patience, minDelta));
  }

  private Optional<OutputSpec> output(Section s) {
    Optional<String> name = s.string("name");
    Optional<ArtifactUri> dir = s.uri("dir");
    boolean merge = s.bool("merge_adapter").orElse(true);
    List<String> samplePrompts = s.strings("sample_prompts").orElse(List.of());
    if (!s.has("name")) {
      s.missing("name", "the model's name, e.g. tinyllama-support");
    }
    return name.flatMap(n -> s.build(() -> new OutputSpec(n, dir, merge, samplePrompts)));
  }

  private Optional<ProviderSettings> provider() {
    Optional<YamlNode> value = root.value("provider");
    // "provider: vertex" is short for "provider: {name: vertex}".
    Optional<Scalar> shorthand = value.filter(Scalar.class::isInstance).map(Scalar.class::cast);
    Section s =
        shorthand.isPresent()
            ? new Section(reading, "provider", Optional.empty(), shorthand.get().location())
            : root.section("provider");
    Optional<String> fromName = s.string("name");
    Optional<String> written =
        shorthand.isPresent() ? shorthand.map(v -> v.text().strip()) : fromName;
    written.ifPresent(n -> checkProviderName(s, shorthand.isPresent(), n));
    String name = providerOverride.or(() -> written).orElse(ProviderSettings.DEFAULT_PROVIDER);

    Section localSection = s.section("local");
    Optional<LocalSettings> local =
        localSection.build(
            () ->
                localSection
                    .path("work_dir")
                    .map(LocalSettings::new)
                    .orElse(LocalSettings.defaults()));
    Optional<SageMakerSettings> sagemaker =
        sagemaker(s.section("sagemaker"), name.equals("sagemaker"));
    Optional<VertexSettings> vertex = vertex(s.section("vertex"), name.equals("vertex"));
    if (local.isEmpty() || sagemaker.isEmpty() || vertex.isEmpty()) {
      return Optional.empty();
    }
    return s.build(() -> new ProviderSettings(name, local.get(), sagemaker.get(), vertex.get()));
  }

  private void checkProviderName(Section s, boolean shorthand, String name) {
    if (providerNames.contains(name)) {
      return;
    }
    Location at = shorthand ? s.location() : s.locationOf("name");
    reading
        .problems()
        .add(
            shorthand ? "provider" : "provider.name",
            at,
            Optional.of(name),
            "is not a known provider",
            String.join(", ", providerNames),
            Suggestions.closest(name, providerNames));
  }

  private Optional<SageMakerSettings> sagemaker(Section s, boolean chosen) {
    Optional<String> region = s.string("region");
    Optional<String> roleArn = s.string("role_arn");
    Optional<ArtifactUri> bucket = s.uri("bucket");
    Optional<String> image = s.string("image");
    Optional<MachineSpec> train = machine(s.section("train_machine"));
    Optional<MachineSpec> deploy = machine(s.section("deploy_machine"));
    Optional<S3Uri> s3 =
        bucket.flatMap(b -> requireKind(s, "bucket", b, S3Uri.class, "s3://BUCKET/PREFIX"));
    if (train.isEmpty() || deploy.isEmpty() || (bucket.isPresent() && s3.isEmpty())) {
      return Optional.empty();
    }
    Optional<SageMakerSettings> settings =
        s.build(() -> new SageMakerSettings(region, roleArn, s3, image, train.get(), deploy.get()));
    if (chosen && settings.isPresent()) {
      s.build(
          () -> {
            settings.get().requireComplete();
            return settings.get();
          });
    }
    return settings;
  }

  private Optional<VertexSettings> vertex(Section s, boolean chosen) {
    Optional<String> project = s.string("project");
    Optional<String> region = s.string("region");
    Optional<ArtifactUri> bucket = s.uri("bucket");
    Optional<String> serviceAccount = s.string("service_account");
    Optional<String> image = s.string("image");
    Optional<MachineSpec> train = machine(s.section("train_machine"));
    Optional<MachineSpec> deploy = machine(s.section("deploy_machine"));
    Optional<GcsUri> gcs =
        bucket.flatMap(b -> requireKind(s, "bucket", b, GcsUri.class, "gs://BUCKET/PREFIX"));
    if (train.isEmpty() || deploy.isEmpty() || (bucket.isPresent() && gcs.isEmpty())) {
      return Optional.empty();
    }
    Optional<VertexSettings> settings =
        s.build(
            () ->
                new VertexSettings(
                    project, region, gcs, serviceAccount, image, train.get(), deploy.get()));
    if (chosen && settings.isPresent()) {
      s.build(
          () -> {
            settings.get().requireComplete();
            return settings.get();
          });
    }
    return settings;
  }

  private <U extends ArtifactUri> Optional<U> requireKind(
      Section s, String key, ArtifactUri uri, Class<U> kind, String allowed) {
    if (kind.isInstance(uri)) {
      return Optional.of(kind.cast(uri));
    }
    reading
        .problems()
        .add(
            s.pathOf(key),
            s.locationOf(key),
            Optional.of(uri.toString()),
            "is the wrong kind of URI",
            allowed);
    return Optional.empty();
  }

  private Optional<MachineSpec> machine(Section s) {
    String type = s.string("type").orElse(MachineSpec.PROVIDER_DEFAULT);
    Optional<String> acceleratorType = s.string("accelerator_type");
    Optional<Integer> count = s.integer("accelerator_count");
    boolean spot = s.bool("spot").orElse(false);
    return s.build(
        () -> {
          MachineSpec.Builder b = MachineSpec.builder(type).spot(spot);
          acceleratorType.ifPresent(b::acceleratorType);
          count.ifPresent(b::acceleratorCount);
          return b.build();
        });
  }

  private Optional<DeploySettings> deploy(Section s, Optional<String> outputName) {
    Optional<String> endpointName = s.string("endpoint_name");
    Optional<String> model = s.string("model");
    int min = s.integer("min_replicas").orElse(1);
    int max = s.integer("max_replicas").orElse(Math.max(1, min));
    Optional<String> name = endpointName.or(() -> outputName);
    return name.flatMap(n -> s.build(() -> new DeploySettings(n, model, min, max)));
  }
}
