package dev.tune.trainer.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceCatalogTest {

  @TempDir Path dir;

  @Test
  void builtInTableIsDatedAndHasBothProviders() {
    InstanceCatalog c = InstanceCatalog.builtIn();
    assertThat(c.asOf()).matches("\\d{4}-\\d{2}");
    assertThat(c.note()).containsIgnoringCase("approximate");
    assertThat(c.byPrice("sagemaker")).isNotEmpty();
    assertThat(c.byPrice("vertex")).isNotEmpty();
    InstanceType g5 = c.find("ml.g5.12xlarge").orElseThrow();
    assertThat(g5.gpus()).isEqualTo(4);
    assertThat(g5.gpu()).isEqualTo("NVIDIA A10G");
    assertThat(g5.region()).isEqualTo("us-east-1");
    assertThat(c.find("g2-standard-48").orElseThrow().gpus()).isEqualTo(4);
    assertThat(c.find("a3-highgpu-8g").orElseThrow().gpuMemoryBytes()).isGreaterThan(79L << 30);
    assertThat(c.byPrice())
        .isSortedAccordingTo((a, b) -> Double.compare(a.hourlyUsd(), b.hourlyUsd()));
  }

  @Test
  void aUserFileReplacesAndAddsEntries() throws Exception {
    Path file = dir.resolve("instances.json");
    Files.writeString(
        file,
        """
        {"as_of": "2026-11", "providers": {"sagemaker": {"region": "eu-west-1", "instances": [
          {"name": "ml.g5.12xlarge", "gpus": 4, "gpu": "NVIDIA A10G", "gpu_memory_mib": 23028,
           "gpu_fp16_tflops": 70, "hourly_usd": 8.5},
          {"name": "ml.future.xlarge", "gpus": 1, "gpu": "X", "gpu_memory_mib": 100000,
           "hourly_usd": 1.0}]}}}
        """);
    InstanceCatalog c = InstanceCatalog.withOverrides(file);
    assertThat(c.asOf()).isEqualTo("2026-11");
    assertThat(c.find("ml.g5.12xlarge").orElseThrow().hourlyUsd()).isEqualTo(8.5);
    assertThat(c.find("ml.g5.12xlarge").orElseThrow().region()).isEqualTo("eu-west-1");
    assertThat(c.find("ml.future.xlarge")).isPresent();
    assertThat(c.find("ml.g5.xlarge")).isPresent();
  }

  @Test
  void aBrokenUserFileNamesTheFileAndTheFix() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"providers\": {\"vertex\": {\"instances\": [{\"name\": \"x\"}]}}}");
    assertThatThrownBy(() -> InstanceCatalog.withOverrides(file))
        .isInstanceOfSatisfying(
            BadInputException.class,
            e -> {
              assertThat(e.getMessage()).contains(file.toString());
              assertThat(e.fix()).contains("hourly_usd");
            });
  }

  @Test
  void gpuListsParse() {
    assertThat(DeviceBudget.parseGpus("4x24GiB"))
        .extracting(DeviceBudget::budgetBytes)
        .containsExactly(24L << 30, 24L << 30, 24L << 30, 24L << 30);
    assertThat(DeviceBudget.parseGpus("80GiB, 2x24GB"))
        .extracting(DeviceBudget::name, DeviceBudget::budgetBytes)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("cuda:0", 80L << 30),
            org.assertj.core.groups.Tuple.tuple("cuda:1", 24_000_000_000L),
            org.assertj.core.groups.Tuple.tuple("cuda:2", 24_000_000_000L));
    assertThatThrownBy(() -> DeviceBudget.parseGpus("4xlots"))
        .isInstanceOfSatisfying(
            BadInputException.class, e -> assertThat(e.fix()).contains("24GiB"));
  }
}
