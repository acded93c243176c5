package dev.tune.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TuneExceptionTest {

  @Test
  void eachSubtypeKnowsItsExitCode() {
    assertThat(new BadInputException("m", "f").exitCode()).isEqualTo(2);
    assertThat(new AuthException("m", "f").exitCode()).isEqualTo(3);
    assertThat(new NotFoundException("m", "f").exitCode()).isEqualTo(4);
    assertThat(new QuotaException("m", "f").exitCode()).isEqualTo(5);
    assertThat(new ConflictException("m", "f").exitCode()).isEqualTo(2);
    assertThat(new RemoteFailureException("m", "f").exitCode()).isEqualTo(6);
    assertThat(new TuneTimeoutException("m", "f").exitCode()).isEqualTo(7);
  }

  @Test
  void carriesMessageFixAndCause() {
    IllegalStateException cause = new IllegalStateException("root");
    TuneException e = new AuthException("No AWS credentials.", "Run aws configure.", cause);

    assertThat(e).hasMessage("No AWS credentials.").hasCause(cause);
    assertThat(e.fix()).isEqualTo("Run aws configure.");
    assertThat(e.kind().id()).isEqualTo("auth");
  }

  @Test
  void violationsAreAllReportedTogether() {
    Violations v = new Violations("thing");
    v.check(true, "fine", 1, "anything");
    v.check(false, "a", -1, "a number > 0");
    v.require(false, "b", "a name");

    InvalidSpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(InvalidSpecException.class, v::throwIfAny);

    assertThat(e.violations())
        .containsExactly(
            new SpecViolation("a", "-1", "a number > 0"), SpecViolation.missing("b", "a name"));
    assertThat(e.getMessage())
        .isEqualTo(
            "Invalid thing: a = -1 (expected a number > 0); b = (missing) (expected a name)");
    assertThat(e.exitCode()).isEqualTo(2);
    assertThat(List.of(e.violations().get(1).isMissing(), e.violations().get(0).isMissing()))
        .containsExactly(true, false);
  }
}
