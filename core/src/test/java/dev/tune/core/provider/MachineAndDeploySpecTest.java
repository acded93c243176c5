package dev.tune.core.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.ModelRef;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.InvalidSpecException;
import dev.tune.core.error.SpecViolation;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MachineAndDeploySpecTest {

  @Test
  void acceleratorCountDefaultsToOneOnceATypeIsSet() {
    MachineSpec m =
        MachineSpec.builder("g2-standard-8").acceleratorType("NVIDIA_L4").spot(true).build();

    assertThat(m).isEqualTo(new MachineSpec("g2-standard-8", Optional.of("NVIDIA_L4"), 1, true));
    assertThat(MachineSpec.builder("ml.g5.2xlarge").build().acceleratorCount()).isZero();
    assertThat(MachineSpec.providerDefault().isProviderDefault()).isTrue();
  }

  @Test
  void acceleratorCountWithoutTypeIsRejected() {
    assertThatThrownBy(() -> MachineSpec.builder("n1-standard-4").acceleratorCount(2).build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("accelerator_count = 2");
  }

  @Test
  void sagemakerRejectsVertexMachineTypesAndAcceleratorTypes() {
    MachineSpec vertexMachine =
        MachineSpec.builder("g2-standard-8").acceleratorType("NVIDIA_L4").build();

    assertThatThrownBy(
            () ->
                new SageMakerSettings(
                    Optional.of("us-east-1"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    vertexMachine,
                    MachineSpec.providerDefault()))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(SpecViolation::key)
                    .containsExactly("train_machine.type", "train_machine.accelerator_type"));
  }

  @Test
  void requireCompleteNamesEveryMissingKey() {
    assertThatThrownBy(() -> VertexSettings.defaults().requireComplete())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .allMatch(SpecViolation::isMissing)
                    .extracting(SpecViolation::key)
                    .containsExactly("project", "region", "bucket"));
  }

  @Test
  void providerSettingsPickTheChosenProvidersMachines() {
    MachineSpec l4 = MachineSpec.builder("g2-standard-8").acceleratorType("NVIDIA_L4").build();
    VertexSettings vertex =
        new VertexSettings(
            Optional.of("my-project"),
            Optional.of("us-central1"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            l4,
            MachineSpec.providerDefault());
    ProviderSettings settings =
        new ProviderSettings(
            "vertex", LocalSettings.defaults(), SageMakerSettings.defaults(), vertex);

    assertThat(settings.trainMachine()).isEqualTo(l4);
    assertThat(settings.deployMachine().isProviderDefault()).isTrue();
    assertThat(settings.withName("local").trainMachine().isProviderDefault()).isTrue();
  }

  @Test
  void deploySpecChecksNameAndReplicas() {
    ModelRef model = new ModelRef("vertex", "projects/p/locations/l/models/1");

    DeploySpec spec = DeploySpec.builder().model(model).endpointName("support-bot").build();
    assertThat(spec.minReplicas()).isEqualTo(1);
    assertThat(spec.machine().isProviderDefault()).isTrue();

    assertThatThrownBy(
            () ->
                DeploySpec.builder()
                    .model(model)
                    .endpointName("bad name")
                    .minReplicas(2)
                    .maxReplicas(1)
                    .build())
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e ->
                assertThat(e.violations())
                    .extracting(SpecViolation::key)
                    .containsExactly("endpoint_name", "max_replicas"));
  }

  @Test
  void promptDefaultsToGreedyDecoding() {
    Prompt p = Prompt.of("Hello");

    assertThat(p.temperature()).isZero();
    assertThat(p.maxTokens()).isEqualTo(128);
    assertThatThrownBy(() -> Prompt.builder("x").topP(0).build())
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("top_p");
  }
}
