package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectionPlanTest {

  private static ConnectionPlan plan(String url, Properties info) {
    return ConnectionPlan.forUrl(
        JdbcUrl.parse(url, "url"),
        null,
        info,
        null,
        new PlanSettings(null, false, null, -1, true),
        "url",
        "the user property");
  }

  @Test
  void removesIamSettingsUserAndPasswordFromWhatTheDriverSees() {
    Properties info = new Properties();
    info.setProperty("iamRegion", "eu-west-1");
    info.setProperty("password", "old-static-password");
    info.setProperty("connectTimeout", "5");
    ConnectionPlan p =
        plan(
            "jdbc:postgresql://db1.abc.eu-west-1.rds.amazonaws.com/app?user=app&iamProfile=x"
                + "&password=p&ApplicationName=svc",
            info);
    assertThat(p.driverUrl())
        .isEqualTo("jdbc:postgresql://db1.abc.eu-west-1.rds.amazonaws.com/app?ApplicationName=svc");
    assertThat(p.baseProperties())
        .containsEntry("connectTimeout", "5")
        .containsEntry("sslmode", "verify-full")
        .doesNotContainKeys("iamRegion", "password", "user");
    assertThat(p.defaultUser()).isEqualTo("app");
    IamTarget t = p.target(null);
    assertThat(t.kind()).isEqualTo(IamTarget.Kind.RDS);
    assertThat(t.signedHost()).isEqualTo("db1.abc.eu-west-1.rds.amazonaws.com:5432");
  }

  @Test
  void theTokenIsThePasswordAndItsUserTheUser() {
    ConnectionPlan p = plan("jdbc:mysql://h:3306/db", new Properties());
    IamTarget t = p.target("reporting");
    AuthToken token = new AuthToken(t, "tok", Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);
    assertThat(p.properties(token))
        .containsEntry("user", "reporting")
        .containsEntry("password", "tok")
        .containsEntry("sslMode", "VERIFY_IDENTITY");
  }

  @Test
  void aDsqlHostIsDsqlAndAdminSignsDbConnectAdmin() {
    Properties info = new Properties();
    info.setProperty("user", "admin");
    ConnectionPlan p = plan("jdbc:postgresql://abcdefgh12345.dsql.us-east-1.on.aws/postgres", info);
    assertThat(p.engine()).isEqualTo(Engine.DSQL);
    assertThat(p.target(null).kind()).isEqualTo(IamTarget.Kind.DSQL);
    assertThat(p.target(null).parameters()).containsEntry("Action", "DbConnectAdmin");
    assertThat(p.target("app").parameters()).containsEntry("Action", "DbConnect");
    assertThat(p.target(null).signedHost()).isEqualTo("abcdefgh12345.dsql.us-east-1.on.aws");
    assertThat(p.driverUrl())
        .isEqualTo("jdbc:postgresql://abcdefgh12345.dsql.us-east-1.on.aws:5432/postgres");
  }

  @Test
  void aMissingUserNamesHowToSetIt() {
    ConnectionPlan p = plan("jdbc:mariadb://h/db", new Properties());
    assertThatThrownBy(() -> p.target(null))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("user: is required")
        .hasMessageContaining("the user property");
  }

  @Test
  void aUserGivenTwiceDifferentlyIsRefused() {
    Properties info = new Properties();
    info.setProperty("user", "b");
    assertThatThrownBy(() -> plan("jdbc:postgresql://h/db?user=a", info))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("user:");
  }

  @Test
  void theSigningEndpointCanDifferFromTheOneConnectedTo() {
    ConnectionPlan p =
        ConnectionPlan.forUrl(
            JdbcUrl.parse("jdbc:postgresql://localhost:15432/db?user=app", "url"),
            null,
            new Properties(),
            null,
            new PlanSettings(null, false, "db1.abc.eu-west-1.rds.amazonaws.com", 5432, true),
            "url",
            "user");
    assertThat(p.target(null).signedHost()).isEqualTo("db1.abc.eu-west-1.rds.amazonaws.com:5432");
    assertThat(p.driverUrl()).startsWith("jdbc:postgresql://localhost:15432/db");
  }
}
