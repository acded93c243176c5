package dev.tune.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.ErrorKind;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.DataSpec;
import dev.tune.trainer.model.ModelConfig;
import dev.tune.trainer.optim.OptimizerName;
import dev.tune.trainer.plan.Bytes;
import dev.tune.trainer.plan.DeviceBudget;
import dev.tune.trainer.plan.DevicePlan;
import dev.tune.trainer.plan.InstanceCatalog;
import dev.tune.trainer.plan.InstanceOption;
import dev.tune.trainer.plan.InstanceType;
import dev.tune.trainer.plan.QloraMemoryModel;
import dev.tune.trainer.plan.RunPlan;
import dev.tune.trainer.plan.RunPlanner;
import dev.tune.trainer.plan.RunShape;
import dev.tune.trainer.plan.ThroughputAssumption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tune plan}: will a QLoRA run fit, where does each layer go, and on which machine. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Estimate the GPU memory of a QLoRA run from the model's config.json alone (no",
      "weights), place its layers over the GPUs, and say whether it fits. Without a GPU",
      "option, list the SageMaker and Vertex AI machines it fits on, cheapest first.",
      "A run that does not fit exits with 5."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tune plan --model ./mistral-7b --gpus 1x24GB",
      "  tune plan --model hf://tiiuae/falcon-40b --instance ml.g5.12xlarge",
      "  tune plan --model config.json --machine g2-standard-48 -o json",
      "  tune plan --model ./mistral-7b --tokens 20000000     machines and costs"
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "MODEL",
      description = "A model directory, its config.json, or hf://org/name (only config.json).")
  String model;

  static final class Target {
    @Option(
        names = "--gpus",
        paramLabel = "SPEC",
        description = "GPUs to plan for: 4x24GiB, 24GB, or a list like 80GiB,2x24GiB.")
    String gpus;

    @Option(
        names = "--instance",
        paramLabel = "TYPE",
        description = "A SageMaker instance type, e.g. ml.g5.12xlarge.")
    String instance;

    @Option(
        names = "--machine",
        paramLabel = "TYPE",
        description = "A Vertex AI machine type, e.g. g2-standard-48.")
    String machine;
  }

  @ArgGroup(exclusive = true)
  Target target;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "1",
      description = "Examples per GPU per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--max-seq-len",
      paramLabel = "N",
      defaultValue = "" + DataSpec.DEFAULT_MAX_SEQ_LENGTH,
      description = "Tokens per example. Default: ${DEFAULT-VALUE}.")
  int maxSeqLen;

  @Option(
      names = "--lora-r",
      paramLabel = "R",
      defaultValue = "16",
      description = "LoRA rank, on every linear layer. Default: ${DEFAULT-VALUE}.")
  int loraR;

  @Option(
      names = "--optim",
      paramLabel = "NAME",
      defaultValue = "paged_adamw_8bit",
      description = "adamw_torch, adamw_8bit or paged_adamw_8bit. Default: ${DEFAULT-VALUE}.")
  String optim;

  @Option(
      names = "--no-gradient-checkpointing",
      description = "Plan without recomputing layers in the backward pass.")
  boolean noCheckpointing;

  @Option(
      names = "--tokens",
      paramLabel = "N",
      description = "Tokens the run trains on (examples x epochs x tokens), for its cost.")
  Long tokens;

  @Option(
      names = "--prices",
      paramLabel = "FILE",
      description =
          "An instance table over the built-in one (layout of its instances.json)."
              + " Default: ~/.tune/instances.json when it exists.")
  Path prices;

  @Override
  public Integer call() {
    TuneCommand root = TuneCommand.of(spec);
    if (tokens != null && tokens < 1) {
      throw new BadInputException(
          "--tokens must be positive, got " + tokens, "pass the run's token count");
    }
    RunShape run =
        RunShape.builder()
            .batchSize(batchSize)
            .seqLen(maxSeqLen)
            .loraRank(loraR)
            .optimizer(OptimizerName.fromConfigName(optim))
            .gradientCheckpointing(!noCheckpointing)
            .build();
    RunPlanner planner =
        new RunPlanner(
            catalog(), ThroughputAssumption.defaults(), QloraMemoryModel.GPU_RUNTIME_BYTES);
    ModelConfig config = dev.tune.trainer.plan.ModelConfigSource.read(model, Storage.discover());
    OptionalLong tokenCount = tokens == null ? OptionalLong.empty() : OptionalLong.of(tokens);
    List<InstanceOption> options = planner.fittingInstances(config, run, tokenCount);
    RunPlan plan;
    String on;
    if (target == null) {
      if (!options.isEmpty()) {
        plan = options.get(0).plan();
        on = options.get(0).instance().name();
      } else {
        InstanceType largest =
            planner.catalog().instances().stream()
                .max(
                    java.util.Comparator.comparingLong(
                        (InstanceType t) -> t.gpus() * t.gpuMemoryBytes()))
                .orElseThrow();
        plan = planner.plan(config, run, largest.devices());
        on = largest.name();
      }
    } else {
      List<DeviceBudget> devices;
      if (target.gpus != null) {
        devices = DeviceBudget.parseGpus(target.gpus);
        on = target.gpus;
      } else {
        String name = target.instance != null ? target.instance : target.machine;
        String provider = target.instance != null ? "sagemaker" : "vertex";
        InstanceType t =
            planner
                .catalog()
                .find(name)
                .filter(i -> i.provider().equals(provider))
                .orElseThrow(
                    () ->
                        new BadInputException(
                            "unknown " + provider + " machine " + name,
                            "use one of "
                                + String.join(
                                    ", ",
                                    planner.catalog().byPrice(provider).stream()
                                        .map(InstanceType::name)
                                        .toList())));
        devices = t.devices();
        on = t.name();
      }
      plan = planner.plan(config, run, devices);
    }
    boolean fits = target == null ? !options.isEmpty() : plan.fits();
    List<InstanceOption> listed = target == null || !fits ? options : List.of();
    root.printer()
        .result(
            text(config, plan, on, fits, listed, planner),
            () -> json(config, plan, on, fits, listed, planner));
    if (!fits) {
      root.printer()
          .note(
              "does not fit: "
                  + plan.placement().reason().orElse("no machine in the instance table fits it"));
      return ErrorKind.QUOTA.exitCode();
    }
    return 0;
  }

  private InstanceCatalog catalog() {
    if (prices != null) {
      return InstanceCatalog.withOverrides(prices);
    }
    Path user = Path.of(System.getProperty("user.home"), ".tune", "instances.json");
    return Files.isRegularFile(user)
        ? InstanceCatalog.withOverrides(user)
        : InstanceCatalog.builtIn();
  }

  private String text(
      ModelConfig config,
      RunPlan plan,
      String on,
      boolean fits,
      List<InstanceOption> options,
      RunPlanner planner) {
    StringBuilder s = new StringBuilder();
    RunShape run = plan.run();
    s.append(
        String.format(
            Locale.ROOT,
            "model:   %s, %.2fB parameters, %d layers%n",
            config.architecture().className(),
            plan.shapes().parameterCount() / 1e9,
            config.numHiddenLayers()));
    s.append(
        String.format(
            Locale.ROOT,
            "run:     batch %d x %d tokens, LoRA r%d on %s, %s, %s, float16 compute%n",
            run.batchSize(),
            run.seqLen(),
            run.lora().r(),
            run.lora().targetsAllLinear() ? "all linear layers" : run.lora().targetModules(),
            run.optimizer().configName(),
            run.gradientCheckpointing() ? "gradient checkpointing" : "no gradient checkpointing"));
    s.append(
        String.format(
            Locale.ROOT,
            "memory:  weights %s (NF4), LoRA + gradients + optimizer %s, host-side optimizer %s,"
                + " %s fixed per GPU%n",
            Bytes.format(plan.weightsBytes()),
            Bytes.format(plan.estimate().adapterBytes()),
            Bytes.format(plan.estimate().hostBytes()),
            Bytes.format(plan.estimate().runtimeBytes())));
    s.append("on ").append(on).append(":\n");
    for (DevicePlan d : plan.placement().devices()) {
      s.append(
          String.format(
              Locale.ROOT,
              "  %-7s budget %9s  peak %9s  %s%n",
              d.device().name(),
              Bytes.format(d.device().budgetBytes()),
              d.used() ? Bytes.format(d.peakBytes()) : "-",
              d.used() ? ModuleRanges.summarize(d.modules()) : "(unused)"));
    }
    plan.placement().reason().ifPresent(r -> s.append("  ").append(r).append('\n'));
    if (!options.isEmpty()) {
      s.append(
          String.format(
              Locale.ROOT,
              "%nmachines it fits on, cheapest %s first (approximate on-demand prices as of %s,"
                  + " %s):%n",
              tokens == null ? "per hour" : "run",
              planner.catalog().asOf(),
              regions(planner.catalog())));
      for (InstanceOption o : options) {
        InstanceType t = o.instance();
        s.append(
            String.format(
                Locale.ROOT,
                "  %-9s %-22s %d x %-17s $%7.2f/h  peak %9s%s%n",
                t.provider(),
                t.name(),
                t.gpus(),
                t.gpu(),
                t.hourlyUsd(),
                Bytes.format(o.plan().placement().largestPeak()),
                o.costUsd().isPresent()
                    ? String.format(
                        Locale.ROOT,
                        "  ~%.1f h, ~$%.0f",
                        o.hours().getAsDouble(),
                        o.costUsd().getAsDouble())
                    : ""));
      }
      if (tokens != null) {
        s.append("  ").append(planner.throughput().describe()).append('\n');
      } else {
        s.append("  pass --tokens N for the cost of the run\n");
      }
    }
    if (!fits && options.isEmpty()) {
      s.append("\nno machine in the instance table fits it\n");
    }
    s.append("fits:    ").append(fits ? "yes" : "no");
    return s.toString();
  }

  /** {@code sagemaker us-east-1, vertex us-central1}: where the table's prices hold. */
  private static String regions(InstanceCatalog catalog) {
    return catalog.instances().stream()
        .map(t -> t.provider() + " " + t.region())
        .distinct()
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private ObjectNode json(
      ModelConfig config,
      RunPlan plan,
      String on,
      boolean fits,
      List<InstanceOption> options,
      RunPlanner planner) {
    ObjectNode n = Printer.object();
    n.put("fits", fits);
    plan.placement().reason().ifPresent(r -> n.put("reason", r));
    n.put("target", on);
    n.put("architecture", config.architecture().className());
    n.put("parameters", plan.shapes().parameterCount());
    ObjectNode run = n.putObject("run");
    run.put("batch_size", plan.run().batchSize());
    run.put("max_seq_len", plan.run().seqLen());
    run.put("lora_r", plan.run().lora().r());
    run.put("optim", plan.run().optimizer().configName());
    run.put("gradient_checkpointing", plan.run().gradientCheckpointing());
    run.put("compute_dtype", "float16");
    n.put("weights_bytes", plan.weightsBytes());
    n.put("adapter_bytes", plan.estimate().adapterBytes());
    n.put("host_bytes", plan.estimate().hostBytes());
    n.put("runtime_bytes_per_device", plan.estimate().runtimeBytes());
    ArrayNode devices = n.putArray("devices");
    for (DevicePlan d : plan.placement().devices()) {
      ObjectNode o = devices.addObject();
      o.put("name", d.device().name());
      o.put("budget_bytes", d.device().budgetBytes());
      o.put("peak_bytes", d.peakBytes());
      ArrayNode modules = o.putArray("modules");
      d.modules().forEach(modules::add);
    }
    ObjectNode placement = n.putObject("placement");
    plan.placement().deviceMap().forEach(placement::put);
    ArrayNode alternatives = n.putArray("instances");
    for (InstanceOption o : options) {
      InstanceType t = o.instance();
      ObjectNode a = alternatives.addObject();
      a.put("provider", t.provider());
      a.put("name", t.name());
      a.put("region", t.region());
      a.put("gpus", t.gpus());
      a.put("gpu", t.gpu());
      a.put("gpu_memory_bytes", t.gpuMemoryBytes());
      a.put("hourly_usd", t.hourlyUsd());
      a.put("largest_peak_bytes", o.plan().placement().largestPeak());
      o.hours().ifPresent(h -> a.put("estimated_hours", h));
      o.costUsd().ifPresent(c -> a.put("estimated_cost_usd", c));
    }
    n.put("prices_as_of", planner.catalog().asOf());
    n.put("prices_note", planner.catalog().note());
    if (tokens != null) {
      n.put("tokens", tokens);
      n.put("throughput_assumption", planner.throughput().describe());
    }
    return n;
  }

  /** Module lists shortened for people: {@code model.layers.0-15}. */
  static final class ModuleRanges {
    private ModuleRanges() {}

    static String summarize(List<String> modules) {
      List<String> out = new ArrayList<>();
      String prefix = null;
      int first = -1;
      int last = -1;
      for (String m : modules) {
        int dot = m.lastIndexOf('.');
        String p = dot < 0 ? m : m.substring(0, dot + 1);
        String tail = dot < 0 ? "" : m.substring(dot + 1);
        boolean numbered = !tail.isEmpty() && tail.chars().allMatch(Character::isDigit);
        if (numbered && p.equals(prefix) && Integer.parseInt(tail) == last + 1) {
          last++;
          continue;
        }
        if (prefix != null) {
          out.add(prefix + (first == last ? first : first + "-" + last));
          prefix = null;
        }
        if (numbered) {
          prefix = p;
          first = Integer.parseInt(tail);
          last = first;
        } else {
          out.add(m);
        }
      }
      if (prefix != null) {
        out.add(prefix + (first == last ? first : first + "-" + last));
      }
      return String.join(", ", out);
    }
  }
}
