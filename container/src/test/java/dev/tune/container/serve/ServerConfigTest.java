package dev.tune.container.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void sageMakerListensOn8080WithPingAndInvocationsAndTheModelInOptMl() {
    ServerConfig c = ServerConfig.fromEnvironment(Map.of(), Contract.SAGEMAKER);
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.healthRoute()).isEqualTo("/ping");
    assertThat(c.predictRoute()).isEqualTo("/invocations");
    assertThat(c.modelDir()).isEqualTo(Path.of("/opt/ml/model"));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.apiKey()).isEmpty();
  }

  @Test
  void sageMakerTakesItsPortAndATestModelDirFromTheEnvironment() {
    ServerConfig c =
        ServerConfig.fromEnvironment(
            Map.of("SAGEMAKER_BIND_TO_PORT", "9090", "SM_MODEL_DIR", "/tmp/model"),
            Contract.SAGEMAKER);
    assertThat(c.port()).isEqualTo(9090);
    assertThat(c.modelDir()).isEqualTo(Path.of("/tmp/model"));
  }

  @Test
  void vertexTakesPortRoutesAndModelFromAipVariables() {
    Map<String, String> env =
        Map.of(
            "AIP_HTTP_PORT", "7080",
            "AIP_HEALTH_ROUTE", "/v1/endpoints/1/deployedModels/2",
            "AIP_PREDICT_ROUTE", "/v1/endpoints/1/deployedModels/2:predict",
            "AIP_STORAGE_URI", "file:///models/m");
    ServerConfig c = ServerConfig.fromEnvironment(env, Contract.VERTEX);
    assertThat(c.port()).isEqualTo(7080);
    assertThat(c.healthRoute()).isEqualTo("/v1/endpoints/1/deployedModels/2");
    assertThat(c.predictRoute()).isEqualTo("/v1/endpoints/1/deployedModels/2:predict");
    assertThat(c.modelDir()).isEqualTo(Path.of("/models/m"));
  }

  @Test
  void vertexReadsAPlainStoragePathAndDefaultsPortAndRoutes() {
    ServerConfig c =
        ServerConfig.fromEnvironment(Map.of("AIP_STORAGE_URI", "/models/m"), Contract.VERTEX);
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.healthRoute()).isEqualTo("/health");
    assertThat(c.predictRoute()).isEqualTo("/predict");
    assertThat(c.modelDir()).isEqualTo(Path.of("/models/m"));
  }

  @Test
  void aCloudStorageUriNamesTheMissingCapabilityInsteadOfPretending() {
    assertThatThrownBy(
            () ->
                ServerConfig.fromEnvironment(
                    Map.of("AIP_STORAGE_URI", "gs://bucket/model"), Contract.VERTEX))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("gs://bucket/model")
        .hasMessageContaining("storage provider");
  }

  @Test
  void vertexWithoutAStorageUriSaysSo() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of(), Contract.VERTEX))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("AIP_STORAGE_URI is not set");
  }

  @Test
  void aPortThatIsNotANumberIsNamed() {
    assertThatThrownBy(
            () ->
                ServerConfig.fromEnvironment(
                    Map.of("AIP_HTTP_PORT", "http", "AIP_STORAGE_URI", "/m"), Contract.VERTEX))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("AIP_HTTP_PORT is 'http'");
    assertThatThrownBy(
            () ->
                ServerConfig.fromEnvironment(
                    Map.of("SAGEMAKER_BIND_TO_PORT", "70000"), Contract.SAGEMAKER))
        .isInstanceOf(BadInputException.class);
  }

  @Test
  void aRouteMustBeAPath() {
    assertThatThrownBy(
            () ->
                ServerConfig.fromEnvironment(
                    Map.of("AIP_PREDICT_ROUTE", "predict", "AIP_STORAGE_URI", "/m"),
                    Contract.VERTEX))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("AIP_PREDICT_ROUTE");
  }

  @Test
  void hostAndApiKeyComeFromTuneVariables() {
    ServerConfig c =
        ServerConfig.fromEnvironment(
            Map.of("TUNE_SERVE_HOST", "0.0.0.0", "TUNE_API_KEY", "s3cret"), Contract.SAGEMAKER);
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.apiKey()).contains("s3cret");
    assertThat(c.withApiKey(Optional.of("  ")).apiKey()).isEmpty();
  }

  @Test
  void vertexIsDetectedByItsVariables() {
    assertThat(Contract.detect(Map.of())).isEqualTo(Contract.SAGEMAKER);
    assertThat(Contract.detect(Map.of("AIP_HTTP_PORT", "8080"))).isEqualTo(Contract.VERTEX);
  }
}
