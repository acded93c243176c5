package dev.tune.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryCredentialProvidersTest {
  /** A provider for one host suffix that answers with a fixed credential. */
  private record SuffixProvider(String suffix, String user) implements RegistryCredentialProvider {
    @Override
    public String name() {
      return "registry " + suffix;
    }

    @Override
    public boolean serves(String registry) {
      return registry.endsWith(suffix);
    }

    @Override
    public RegistryCredential credential(String registry) {
      return new RegistryCredential(user, "secret-of-" + registry);
    }
  }

  @Test
  void picksTheFirstProviderThatServesTheRegistry() {
    RegistryCredentialProviders providers =
        RegistryCredentialProviders.of(
            List.of(new SuffixProvider(".one.example", "a"), new SuffixProvider(".example", "b")));

    assertThat(providers.forRegistry("r.one.example").orElseThrow().credential("r").username())
        .isEqualTo("a");
    assertThat(providers.forRegistry("r.two.example").orElseThrow().credential("r").username())
        .isEqualTo("b");
    assertThat(providers.forRegistry("localhost:5000")).isEmpty();
  }

  @Test
  void coreAloneInstallsNoProvider() {
    assertThat(RegistryCredentialProviders.installed().all()).isEmpty();
  }

  @Test
  void aCredentialNeverPrintsItsPassword() {
    assertThat(new RegistryCredential("AWS", "hunter2").toString())
        .contains("AWS")
        .doesNotContain("hunter2");
  }

  @Test
  void creatingRepositoriesIsRefusedUnlessTheProviderCan() {
    assertThatThrownBy(() -> new SuffixProvider(".x", "u").createRepository("r.x", "repo"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("r.x/repo");
  }
}
