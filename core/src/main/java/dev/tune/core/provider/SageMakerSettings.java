package dev.tune.core.provider;

import dev.tune.core.artifact.S3Uri;
import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of the {@code sagemaker} provider. Region, role and bucket are optional here so that a
 * {@code tune.yaml} for another provider need not name them; {@link #requireComplete()} checks them
 * when SageMaker is used.
 *
 * @param region the AWS region, e.g. {@code us-east-1}
 * @param roleArn the IAM role SageMaker assumes to run jobs and endpoints
 * @param bucket where data, models and job output go
 * @param image the training and serving image; empty uses the image tune builds and pushes
 * @param trainMachine the training instance
 * @param deployMachine the endpoint instance
 */
public record SageMakerSettings(
    Optional<String> region,
    Optional<String> roleArn,
    Optional<S3Uri> bucket,
    Optional<String> image,
    MachineSpec trainMachine,
    MachineSpec deployMachine) {

  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");
  private static final Pattern INSTANCE_TYPE = Pattern.compile("ml\\.[a-z0-9]+\\.[a-z0-9]+");

  public SageMakerSettings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(roleArn, "roleArn");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(trainMachine, "trainMachine");
    Objects.requireNonNull(deployMachine, "deployMachine");
    Violations v = new Violations("SageMaker settings");
    region.ifPresent(
        r -> v.check(REGION.matcher(r).matches(), "region", r, "an AWS region such as us-east-1"));
    roleArn.ifPresent(
        r ->
            v.check(
                ROLE_ARN.matcher(r).matches(),
                "role_arn",
                r,
                "an IAM role ARN such as arn:aws:iam::123456789012:role/TuneSageMaker"));
    image.ifPresent(i -> v.check(!i.isBlank(), "image", "\"\"", "a container image URI"));
    checkMachine(v, "train_machine", trainMachine);
    checkMachine(v, "deploy_machine", deployMachine);
    v.throwIfAny();
  }

  private static void checkMachine(Violations v, String key, MachineSpec machine) {
    v.check(
        machine.isProviderDefault() || INSTANCE_TYPE.matcher(machine.type()).matches(),
        key + ".type",
        machine.type(),
        "a SageMaker instance type such as ml.g5.2xlarge");
    v.check(
        machine.acceleratorType().isEmpty(),
        key + ".accelerator_type",
        machine.acceleratorType().orElse(""),
        "no accelerator_type: on SageMaker the instance type decides the GPUs");
  }

  /** No values set: the provider's defaults and the AWS environment decide. */
  public static SageMakerSettings defaults() {
    return new SageMakerSettings(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        MachineSpec.providerDefault(),
        MachineSpec.providerDefault());
  }

  /**
   * Checks that everything SageMaker needs is set.
   *
   * @throws dev.tune.core.error.InvalidSpecException naming each missing key
   */
  public void requireComplete() {
    new Violations("SageMaker settings")
        .require(region.isPresent(), "region", "an AWS region such as us-east-1")
        .require(
            roleArn.isPresent(),
            "role_arn",
            "the IAM role SageMaker runs jobs with, arn:aws:iam::ACCOUNT:role/NAME")
        .require(bucket.isPresent(), "bucket", "an s3://BUCKET/PREFIX for tune's files")
        .throwIfAny();
  }
}
