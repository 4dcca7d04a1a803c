package io.github.iamauth4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.testkit.net.AuthMetrics;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What {@code emulate} does before it serves: counters, signals, the password user's password. */
class EmulateCommandTest {

  @Test
  void theCountersAreOneLineUnderAwsNames() {
    assertThat(EmulateCommand.countersLine(new AuthMetrics(3, 2, 1, 40, 5)))
        .isEqualTo(
            "Counters: AuthenticationFailures=3 IamAuthenticationExpirations=2"
                + " IamAuthenticationThrottling=1 IamAuthentications=40"
                + " PasswordAuthentications=5");
  }

  @Test
  void aSignalHandlerRunsOnTheSignal() throws Exception {
    CountDownLatch got = new CountDownLatch(1);

    boolean installed = EmulateCommand.onSignal("WINCH", got::countDown);

    assertThat(installed).isTrue();
    Class<?> signal = Class.forName("sun.misc.Signal");
    signal
        .getMethod("raise", signal)
        .invoke(null, signal.getConstructor(String.class).newInstance("WINCH"));
    assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anUnknownSignalIsReportedAsNotInstalled() {
    assertThat(EmulateCommand.onSignal("NO-SUCH-SIGNAL", () -> {})).isFalse();
  }

  @Test
  void thePasswordUsersPasswordIsReadFromStdinAndNeverEchoed() {
    Cli.Result r =
        Cli.runWithStdin(
            "stdin-pw-71a2\n",
            "emulate",
            "elasticache",
            "--backend",
            "127.0.0.1:1",
            "--cache",
            "orders",
            "--password-user",
            "legacy");

    // Past the password (read), the emulator fails on the unreachable backend.
    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("127.0.0.1:1").doesNotContain("stdin-pw-71a2");
    assertThat(r.out()).doesNotContain("stdin-pw-71a2");
  }

  @Test
  void aPasswordUserWithoutAPasswordIsAUsageError() {
    Cli.Result r =
        Cli.run(
            "emulate",
            "rds-postgres",
            "--backend",
            "127.0.0.1:1",
            "--backend-user",
            "postgres",
            "--backend-password",
            "pg-pw",
            "--password-user",
            "legacy");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("--password-user: no password (set " + EmulateCommand.USER_PASSWORD_ENV);
  }
}
