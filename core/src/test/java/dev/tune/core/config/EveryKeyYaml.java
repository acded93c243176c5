package dev.tune.core.config;

import dev.tune.core.train.LrSchedulerType;
import dev.tune.core.train.Optimizer;
import dev.tune.core.train.TrainingArguments;

/**
 * Sections of tune.yaml that set every key to a value other than its default; tests put them
 * between the sections that differ in their files.
 */
final class EveryKeyYaml {
  /** The {@code model}, {@code quantization} and {@code lora} sections. */
  static final String MODEL_QUANTIZATION_LORA =
      """
      model:
        base: s3://models-bucket/llama-3.2-1b
        token: hf_literal_token
      quantization:
        load_in_4bit: true
        bnb_4bit_quant_type: nf4
        bnb_4bit_use_double_quant: false
        bnb_4bit_compute_dtype: float16
      lora:
        r: 16
        alpha: 32
        dropout: 0.05
        target_modules: [q_proj, k_proj, v_proj, o_proj]
      """;

  /** The {@code training} section; it reads as {@link #TRAINING_ARGUMENTS}. */
  static final String TRAINING =
      """
      training:
        learning_rate: 2e-4
        num_train_epochs: 2.5
        max_steps: 300
        per_device_train_batch_size: 4
        per_device_eval_batch_size: 2
        gradient_accumulation_steps: 4
        warmup_steps: 10
        warmup_ratio: 0.03
        lr_scheduler_type: cosine
        optim: paged_adamw_8bit
        weight_decay: 0.01
        adam_beta1: 0.8
        adam_beta2: 0.95
        adam_epsilon: 1.0e-6
        max_grad_norm: 0.3
        bf16: true
        fp16: false
        gradient_checkpointing: true
        seed: 1234
        logging_steps: 10
        save_steps: 100
        eval_steps: 50
      """;

  static final TrainingArguments TRAINING_ARGUMENTS =
      TrainingArguments.builder()
          .learningRate(2e-4)
          .numTrainEpochs(2.5)
          .maxSteps(300)
          .perDeviceTrainBatchSize(4)
          .perDeviceEvalBatchSize(2)
          .gradientAccumulationSteps(4)
          .warmupSteps(10)
          .warmupRatio(0.03)
          .lrSchedulerType(LrSchedulerType.COSINE)
          .optim(Optimizer.PAGED_ADAMW_8BIT)
          .weightDecay(0.01)
          .adamBeta1(0.8)
          .adamBeta2(0.95)
          .adamEpsilon(1e-6)
          .maxGradNorm(0.3)
          .bf16(true)
          .fp16(false)
          .gradientCheckpointing(true)
          .seed(1234)
          .loggingSteps(10)
          .saveSteps(100)
          .evalSteps(50)
          .build();

  private EveryKeyYaml() {}
}
