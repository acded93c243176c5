package dev.tune.core.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.provider.ProviderSettings;
import dev.tune.core.provider.SageMakerSettings;
import dev.tune.core.provider.VertexSettings;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the effective configuration, defaults included, as a JSON tree with the keys of {@code
 * tune.yaml}; reading the tree back gives the same configuration. Values that came from environment
 * variables, and the token, are masked.
 */
final class ConfigRenderer {
  static final String MASK = "****";

  private final Set<String> secretPaths;

  ConfigRenderer(Set<String> secretPaths) {
    this.secretPaths = secretPaths;
  }

  ObjectNode render(TrainSpec train, ProviderSettings provider, DeploySettings deploy) {
    ObjectNode root = renderTrain(train);
    train.model().token().ifPresent(t -> root.withObjectProperty("model").put("token", MASK));
    provider(root.putObject("provider"), provider);
    ObjectNode d = root.putObject("deploy");
    text(d, "deploy", "endpoint_name", deploy.endpointName());
    deploy.model().ifPresent(m -> text(d, "deploy", "model", m));
    d.put("min_replicas", deploy.minReplicas());
    d.put("max_replicas", deploy.maxReplicas());
    return root;
  }

  /** The sections of a {@link TrainSpec}; the token is left out, not masked. */
  ObjectNode renderTrain(TrainSpec train) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    text(root.putObject("model"), "model", "base", train.model().source().toString());
    quantization(root, train.quantization());
    lora(root.putObject("lora"), train.lora());
    data(root.putObject("data"), train.data());
    training(root.putObject("training"), train.training());
    output(root.putObject("output"), train.output());
    return root;
  }

  private static void quantization(ObjectNode root, QuantizationSpec q) {
    if (!q.loadIn4bit()) {
      root.put("quantization", "none");
      return;
    }
    ObjectNode n = root.putObject("quantization");
    n.put("load_in_4bit", true);
    n.put("bnb_4bit_quant_type", Section.id(q.quantType()));
    n.put("bnb_4bit_use_double_quant", q.useDoubleQuant());
    n.put("bnb_4bit_compute_dtype", Section.id(q.computeDtype()));
  }

  private static void lora(ObjectNode n, LoraSpec lora) {
    n.put("r", lora.r());
    n.put("alpha", lora.alpha());
    n.put("dropout", lora.dropout());
    lora.targetModules().forEach(n.putArray("target_modules")::add);
  }

  private void data(ObjectNode n, DataSpec data) {
    text(n, "data", "train", data.train().toString());
    data.eval().ifPresent(e -> text(n, "data", "eval", e.toString()));
    n.put("format", Section.id(data.format()));
    n.put("max_seq_length", data.maxSeqLength());
    data.textField().ifPresent(f -> text(n, "data", "text_field", f));
    data.promptTemplate().ifPresent(t -> text(n, "data", "prompt_template", t));
    n.put("eval_split", data.evalSplit());
    n.put("packing", data.packing());
    n.put("truncation_side", Section.id(data.truncationSide()));
    n.put("drop_long_rows", data.dropLongRows());
    n.put("skip_bad_rows", data.skipBadRows());
    n.put("completion_only_loss", data.completionOnlyLoss());
  }

  private static void training(ObjectNode n, TrainingArguments t) {
    n.put("learning_rate", t.learningRate());
    n.put("num_train_epochs", t.numTrainEpochs());
    n.put("max_steps", t.maxSteps());
    n.put("per_device_train_batch_size", t.perDeviceTrainBatchSize());
    n.put("per_device_eval_batch_size", t.perDeviceEvalBatchSize());
    n.put("gradient_accumulation_steps", t.gradientAccumulationSteps());
    n.put("warmup_steps", t.warmupSteps());
    n.put("warmup_ratio", t.warmupRatio());
    n.put("lr_scheduler_type", Section.id(t.lrSchedulerType()));
    n.put("optim", Section.id(t.optim()));
    n.put("weight_decay", t.weightDecay());
    n.put("adam_beta1", t.adamBeta1());
    n.put("adam_beta2", t.adamBeta2());
    n.put("adam_epsilon", t.adamEpsilon());
    n.put("max_grad_norm", t.maxGradNorm());
    n.put("bf16", t.bf16());
    n.put("fp16", t.fp16());
    n.put("gradient_checkpointing", t.gradientCheckpointing());
    n.put("seed", t.seed());
    n.put("logging_steps", t.loggingSteps());
    n.put("save_steps", t.saveSteps());
    n.put("eval_steps", t.evalSteps());
    n.put("eval_strategy", Section.id(t.evalStrategy()));
    t.earlyStopping()
        .ifPresent(
            e -> {
              ObjectNode early = n.putObject("early_stopping");
              early.put("patience", e.patience());
              early.put("min_delta", e.minDelta());
            });
  }

  private void output(ObjectNode n, OutputSpec output) {
    text(n, "output", "name", output.name());
    output.dir().ifPresent(d -> text(n, "output", "dir", d.toString()));
    n.put("merge_adapter", output.mergeAdapter());
    output.samplePrompts().forEach(n.putArray("sample_prompts")::add);
  }

  private void provider(ObjectNode n, ProviderSettings p) {
    n.put("name", p.name());
    text(n.putObject("local"), "provider.local", "work_dir", p.local().workDir().toString());
    sagemaker(n.putObject("sagemaker"), p.sagemaker());
    vertex(n.putObject("vertex"), p.vertex());
  }

  private void sagemaker(ObjectNode n, SageMakerSettings s) {
    String path = "provider.sagemaker";
    optional(n, path, "region", s.region());
    optional(n, path, "role_arn", s.roleArn());
    optional(n, path, "bucket", s.bucket().map(Object::toString));
    optional(n, path, "image", s.image());
    machine(n.putObject("train_machine"), path + ".train_machine", s.trainMachine());
    machine(n.putObject("deploy_machine"), path + ".deploy_machine", s.deployMachine());
  }

  private void vertex(ObjectNode n, VertexSettings v) {
    String path = "provider.vertex";
    optional(n, path, "project", v.project());
    optional(n, path, "region", v.region());
    optional(n, path, "bucket", v.bucket().map(Object::toString));
    optional(n, path, "service_account", v.serviceAccount());
    optional(n, path, "image", v.image());
    machine(n.putObject("train_machine"), path + ".train_machine", v.trainMachine());
    machine(n.putObject("deploy_machine"), path + ".deploy_machine", v.deployMachine());
  }

  private void machine(ObjectNode n, String path, MachineSpec m) {
    text(n, path, "type", m.type());
    optional(n, path, "accelerator_type", m.acceleratorType());
    n.put("accelerator_count", m.acceleratorCount());
    n.put("spot", m.spot());
  }

  private void optional(ObjectNode n, String section, String key, Optional<String> value) {
    value.ifPresent(v -> text(n, section, key, v));
  }

  private void text(ObjectNode n, String section, String key, String value) {
    n.put(key, secretPaths.contains(section + "." + key) ? MASK : value);
  }
}
