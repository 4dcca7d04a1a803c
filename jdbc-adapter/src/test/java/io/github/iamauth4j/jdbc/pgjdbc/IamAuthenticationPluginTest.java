package io.github.iamauth4j.jdbc.pgjdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.ParsedToken;
import io.github.iamauth4j.jdbc.ExampleCredentialsProvider;
import io.github.iamauth4j.jdbc.IamDriver;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;

class IamAuthenticationPluginTest {

  @AfterEach
  void close() {
    IamDriver.closeSharedTokenProviders();
  }

  private static Properties info(String host, String sslmode) {
    Properties p = new Properties();
    p.setProperty("PGHOST", host);
    p.setProperty("PGPORT", "5432");
    p.setProperty("user", "app");
    p.setProperty("iamRegion", "us-east-1");
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    if (sslmode != null) {
      p.setProperty("sslmode", sslmode);
    }
    return p;
  }

  @Test
  void answersACleartextRequestWithATokenForTheHostPortAndUser() throws Exception {
    char[] pw =
        new IamAuthenticationPlugin(info("localhost", "verify-full"))
            .getPassword(AuthenticationRequestType.CLEARTEXT_PASSWORD);
    ParsedToken t = ParsedToken.parse(new String(pw));
    assertThat(t.host()).isEqualTo("localhost:5432");
    assertThat(t.parameters()).containsEntry("DBUser", "app");
    // A new instance per authentication, as pgjdbc makes: the same (shared, cached) token.
    char[] again =
        new IamAuthenticationPlugin(info("localhost", "verify-full"))
            .getPassword(AuthenticationRequestType.CLEARTEXT_PASSWORD);
    assertThat(again).isEqualTo(pw);
  }

  @Test
  void refusesToAnswerWithoutGuaranteedTls() {
    for (String mode : new String[] {null, "prefer", "disable"}) {
      assertThatThrownBy(
              () ->
                  new IamAuthenticationPlugin(info("localhost", mode))
                      .getPassword(AuthenticationRequestType.CLEARTEXT_PASSWORD))
          .isInstanceOf(PSQLException.class)
          .hasCauseInstanceOf(InsecureConnectionException.class)
          .hasMessageContaining("sslmode:");
    }
  }

  @Test
  void refusesNonCleartextRequestsAndSeveralHosts() {
    assertThatThrownBy(
            () ->
                new IamAuthenticationPlugin(info("localhost", "require"))
                    .getPassword(AuthenticationRequestType.SASL))
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("SASL")
        .hasMessageContaining("rds_iam");
    assertThatThrownBy(
            () ->
                new IamAuthenticationPlugin(info("h1,h2", "require"))
                    .getPassword(AuthenticationRequestType.CLEARTEXT_PASSWORD))
        .hasCauseInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("several hosts");
  }
}
