package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcUrlTest {

  @Test
  void parsesHostPortPathAndParameters() {
    JdbcUrl u =
        JdbcUrl.parse(
            "jdbc:postgresql://db1.abc.eu-west-1.rds.amazonaws.com:5433/app?sslmode=require&x=a%20b",
            "url");
    assertThat(u.scheme()).isEqualTo("postgresql");
    assertThat(u.host()).isEqualTo("db1.abc.eu-west-1.rds.amazonaws.com");
    assertThat(u.port()).isEqualTo(5433);
    assertThat(u.path()).isEqualTo("/app");
    assertThat(u.value("SSLMODE")).contains("require");
    assertThat(u.value("x")).contains("a b");
    assertThat(u.keys()).containsExactly("sslmode", "x");
  }

  @Test
  void portIsOptionalAndIpv6IsBracketed() {
    JdbcUrl u = JdbcUrl.parse("jdbc:mysql://[::1]/app", "url");
    assertThat(u.host()).isEqualTo("::1");
    assertThat(u.port()).isEqualTo(-1);
    assertThat(u.withPortIfAbsent(3306).text()).isEqualTo("jdbc:mysql://[::1]:3306/app");
  }

  @Test
  void rebuildsTheUrlWithoutRemovedParametersKeepingTheRawText() {
    JdbcUrl u =
        JdbcUrl.parse(
            "jdbc:mariadb://h:3306/db?iamRegion=us-east-1&serverSslCert=%2Ftmp%2Fca.pem&user=app",
            "url");
    assertThat(u.without(k -> k.startsWith("iam") || k.equals("user")).text())
        .isEqualTo("jdbc:mariadb://h:3306/db?serverSslCert=%2Ftmp%2Fca.pem");
    assertThat(u.withScheme("postgresql").text()).startsWith("jdbc:postgresql://h:3306/db?");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:postgresql://h1:5432,h2:5432/db",
        "jdbc:mysql://address=(host=h)(port=3306)/db",
        "jdbc:mysql://[h1,h2]/db",
      })
  void refusesSeveralHostsNamingTheUrl(String url) {
    assertThatThrownBy(() -> JdbcUrl.parse(url, "url"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("url:");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:mysql:replication://h1,h2/db",
        "jdbc:mariadb:sequential://h/db",
        "jdbc:postgresql:db",
        "jdbc:oracle:thin:@h:1521:x",
        "postgresql://h/db",
        "jdbc:postgresql://:5432/db",
        "jdbc:postgresql://h:99999/db",
        "jdbc:postgresql://h:abc/db",
      })
  void refusesWhatItCannotParse(String url) {
    assertThatThrownBy(() -> JdbcUrl.parse(url, "jdbcUrl"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageStartingWith("invalid iamauth4j configuration: jdbcUrl:");
  }

  @Test
  void neverRepeatsTheUrlOrItsSecretsInMessages() {
    String secret = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
    assertThatThrownBy(() -> JdbcUrl.parse("jdbc:postgresql://app:" + secret + "@h/db", "url"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageNotContaining(secret);
    assertThatThrownBy(() -> JdbcUrl.parse("jdbc:postgresql://h1,h2/db?password=" + secret, "url"))
        .hasMessageNotContaining(secret);
    assertThat(JdbcUrl.parse("jdbc:postgresql://h/db?password=" + secret, "url").toString())
        .isEqualTo("jdbc:postgresql://h/db?…");
  }

  @Test
  void refusesUserInformationBeforeTheHost() {
    assertThatThrownBy(() -> JdbcUrl.parse("jdbc:mysql://app@h:3306/db", "url"))
        .hasMessageContaining("user");
  }
}
