package dev.tune.cli;

import java.util.List;
import java.util.Optional;

/** The commented {@code tune.yaml} that {@code tune init} writes, one per provider. */
final class InitTemplate {
  static final String DEFAULT_PROVIDER = "local";
  static final List<String> PROVIDERS = List.of("local", "sagemaker", "vertex");

  private static final String COMMON =
      """
      # tune.yaml: what to fine-tune, on which data, where to run it and how to serve it.
      # Keys are spelled as in Hugging Face transformers (TrainingArguments), peft (LoraConfig)
      # and bitsandbytes (BitsAndBytesConfig); a key left out takes the default noted beside it.
      # ${NAME} reads environment variable NAME, ${NAME:-fallback} gives a fallback; such values
      # are never printed. Relative paths start at this file's folder.
      # Check the file with: tune config validate

      model:
        # The checkpoint to fine-tune: hf://ORG/NAME@REVISION, s3://..., gs://... or a path.
        base: hf://TinyLlama/TinyLlama-1.1B-Chat-v1.0@main
        # Hugging Face token, for gated or private models:
        # token: ${HF_TOKEN}

      # QLoRA: the frozen base weights are stored in 4-bit NF4.
      # Write "quantization: none" to keep them dense (plain LoRA).
      quantization:
        load_in_4bit: true
        bnb_4bit_quant_type: nf4            # the 4-bit type the trainer implements
        bnb_4bit_use_double_quant: true     # quantize the block scales too
        bnb_4bit_compute_dtype: bfloat16    # float32 | bfloat16 | float16

      lora:
        r: 16                               # rank; default 8
        alpha: 32                           # scaling is alpha / r; default 8
        dropout: 0.05                       # default 0.0
        # Modules to adapt; "all-linear" adapts every linear layer but the output head.
        # Left out: the architecture's default (q_proj and v_proj for Llama).
        target_modules: [q_proj, k_proj, v_proj, o_proj]

      data:
        train: data/train.jsonl             # JSON Lines; a path, s3://, gs:// or hf://datasets/...
        # eval: data/eval.jsonl             # evaluated every eval_steps
        format: auto                        # auto | text | instruction | prompt_completion | chat
        max_seq_length: 1024                # longer examples are truncated

      training:
        learning_rate: 2.0e-4               # default 5e-5
        num_train_epochs: 1                 # default 3
        max_steps: -1                       # above 0, wins over num_train_epochs
        per_device_train_batch_size: 4      # default 8
        gradient_accumulation_steps: 4      # default 1
        warmup_ratio: 0.03                  # default 0.0; or warmup_steps: N
        lr_scheduler_type: cosine           # linear (default) | cosine | constant | constant_with_warmup
        optim: paged_adamw_8bit             # adamw_torch (default) | adamw_8bit | paged_adamw_8bit
        weight_decay: 0.0
        max_grad_norm: 0.3                  # default 1.0
        bf16: true                          # Ampere or newer GPUs; else fp16: true
        gradient_checkpointing: true        # less memory, about 30% slower
        seed: 42
        logging_steps: 10                   # default 500
        save_steps: 200                     # default 500
        # eval_steps: 200                   # default: logging_steps

      output:
        name: tinyllama-support             # registry and endpoint name: letters, digits, hyphens
        # dir: ...                          # default: under the provider's bucket or work_dir
        merge_adapter: true                 # merge LoRA into the weights: a plain HF checkpoint

      """;

  private static final String LOCAL =
      """
      provider:
        name: local                         # runs on this machine
        local:
          work_dir: ~/.tune/local           # jobs, models and endpoints live here
      """;

  private static final String SAGEMAKER =
      """
      provider:
        name: sagemaker
        sagemaker:
          region: us-east-1
          role_arn: arn:aws:iam::123456789012:role/TuneSageMaker   # change me
          bucket: s3://my-tune-bucket/tune                          # change me
          # image: ...                      # default: the image tune builds and pushes to ECR
          train_machine:
            type: ml.g5.2xlarge             # 1 x A10G, 24 GB
            spot: false                     # true: managed spot training, cheaper, may wait
          deploy_machine:
            type: ml.g5.xlarge
      """;

  private static final String VERTEX =
      """
      provider:
        name: vertex
        vertex:
          project: my-gcp-project           # change me
          region: us-central1
          bucket: gs://my-tune-bucket/tune  # change me
          # service_account: tune@my-gcp-project.iam.gserviceaccount.com
          # image: ...                      # default: the image tune builds and pushes
          train_machine:
            type: g2-standard-8
            accelerator_type: NVIDIA_L4     # 24 GB
            accelerator_count: 1
            spot: false                     # true: Spot VMs, cheaper, may be preempted
          deploy_machine:
            type: g2-standard-8
            accelerator_type: NVIDIA_L4
            accelerator_count: 1
      """;

  private static final String DEPLOY =
      """

      deploy:
        # endpoint_name: tinyllama-support # default: output.name
        min_replicas: 1
        max_replicas: 1
      """;

  private InitTemplate() {}

  /** The file for {@code provider}, if tune has a template for it. */
  static Optional<String> forProvider(String provider) {
    String block =
        switch (provider) {
          case "local" -> LOCAL;
          case "sagemaker" -> SAGEMAKER;
          case "vertex" -> VERTEX;
          default -> null;
        };
    return Optional.ofNullable(block).map(b -> COMMON + b + DEPLOY);
  }
}
