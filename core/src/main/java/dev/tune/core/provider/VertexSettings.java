package dev.tune.core.provider;

import dev.tune.core.artifact.GcsUri;
import dev.tune.core.error.Violations;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of the {@code vertex} provider (Google Cloud Vertex AI). Project, region and bucket are
 * optional here so that a {@code tune.yaml} for another provider need not name them; {@link
 * #requireComplete()} checks them when Vertex is used.
 *
 * @param project the Google Cloud project id
 * @param region the Vertex AI region, e.g. {@code us-central1}
 * @param bucket where data, models and job output go (also the staging bucket)
 * @param serviceAccount the service account jobs and endpoints run as; empty uses Vertex's default
 * @param image the training and serving image; empty uses the image tune builds and pushes
 * @param trainMachine the training machine
 * @param deployMachine the endpoint machine
 */
public record VertexSettings(
    Optional<String> project,
    Optional<String> region,
    Optional<GcsUri> bucket,
    Optional<String> serviceAccount,
    Optional<String> image,
    MachineSpec trainMachine,
    MachineSpec deployMachine) {

  private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
  private static final Pattern REGION = Pattern.compile("[a-z]+-[a-z]+\\d+");
  private static final Pattern SERVICE_ACCOUNT = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Pattern MACHINE_TYPE = Pattern.compile("[a-z][a-z0-9]*-[a-z0-9-]+");

  public VertexSettings {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(trainMachine, "trainMachine");
    Objects.requireNonNull(deployMachine, "deployMachine");
    Violations v = new Violations("Vertex AI settings");
    project.ifPresent(
        p ->
            v.check(
                PROJECT.matcher(p).matches(),
                "project",
                p,
                "a project id: 6 to 30 lower-case letters, digits and hyphens, starting with a"
                    + " letter"));
    region.ifPresent(
        r -> v.check(REGION.matcher(r).matches(), "region", r, "a region such as us-central1"));
    serviceAccount.ifPresent(
        s ->
            v.check(
                SERVICE_ACCOUNT.matcher(s).matches(),
                "service_account",
                s,
                "a service account e-mail such as tune@PROJECT.iam.gserviceaccount.com"));
    image.ifPresent(i -> v.check(!i.isBlank(), "image", "\"\"", "a container image URI"));
    checkMachine(v, "train_machine", trainMachine);
    checkMachine(v, "deploy_machine", deployMachine);
    v.throwIfAny();
  }

  private static void checkMachine(Violations v, String key, MachineSpec machine) {
    v.check(
        machine.isProviderDefault() || MACHINE_TYPE.matcher(machine.type()).matches(),
        key + ".type",
        machine.type(),
        "a Compute Engine machine type such as g2-standard-8");
  }

  /** No values set: the provider's defaults and the Google Cloud environment decide. */
  public static VertexSettings defaults() {
    return new VertexSettings(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        MachineSpec.providerDefault(),
        MachineSpec.providerDefault());
  }

  /**
   * Checks that everything Vertex AI needs is set.
   *
   * @throws dev.tune.core.error.InvalidSpecException naming each missing key
   */
  public void requireComplete() {
    new Violations("Vertex AI settings")
        .require(project.isPresent(), "project", "the Google Cloud project id")
        .require(region.isPresent(), "region", "a Vertex AI region such as us-central1")
        .require(bucket.isPresent(), "bucket", "a gs://BUCKET/PREFIX for tune's files")
        .throwIfAny();
  }
}
