package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsPolicyTest {

  private static Lookup url(String url) {
    return Lookup.of(JdbcUrl.parse(url, "url"), new Properties());
  }

  private static Map<String, String> apply(
      Engine engine, Lookup settings, Path caBundle, boolean allowPlaintext) {
    return TlsPolicy.apply(
        engine,
        "jdbc:test://h",
        settings,
        new PlanSettings(caBundle, allowPlaintext, null, -1, true));
  }

  private static void check(Engine engine, Lookup settings, boolean allowPlaintext) {
    TlsPolicy.check(
        engine, "jdbc:test://h", settings, new PlanSettings(null, allowPlaintext, null, -1, true));
  }

  private static Lookup props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return Lookup.of(null, p);
  }

  @Test
  void setsTheVerifyingModeOfEachDriverWhenNothingIsGiven() {
    assertThat(apply(Engine.POSTGRESQL, url("jdbc:postgresql://h/db"), null, false))
        .containsExactly(Map.entry("sslmode", "verify-full"));
    assertThat(apply(Engine.MYSQL, url("jdbc:mysql://h/db"), null, false))
        .containsExactly(Map.entry("sslMode", "VERIFY_IDENTITY"));
    assertThat(apply(Engine.MARIADB, url("jdbc:mariadb://h/db"), null, false))
        .containsExactly(
            Map.entry("restrictedAuth", "mysql_clear_password"),
            Map.entry("sslMode", "verify-full"));
  }

  @Test
  void dsqlTrustsTheJvmTrustStoreUnlessACaIsGiven() {
    assertThat(apply(Engine.DSQL, url("jdbc:postgresql://h/db"), null, false))
        .containsEntry("sslmode", "verify-full")
        .containsEntry("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
    assertThat(apply(Engine.DSQL, url("jdbc:postgresql://h/db?sslrootcert=/x.pem"), null, false))
        .doesNotContainKey("sslfactory");
  }

  @ParameterizedTest
  @CsvSource({
    "POSTGRESQL, sslmode, require",
    "POSTGRESQL, sslmode, verify-ca",
    "POSTGRESQL, sslmode, VERIFY-FULL",
    "POSTGRESQL, ssl, true",
    "MYSQL, sslMode, REQUIRED",
    "MYSQL, sslMode, verify_ca",
    "MYSQL, sslMode, VERIFY_IDENTITY",
    "MYSQL, requireSSL, true",
    "MYSQL, verifyServerCertificate, yes",
    "MARIADB, sslMode, trust",
    "MARIADB, sslMode, verify-ca",
    "MARIADB, sslMode, VERIFY_IDENTITY",
    "MARIADB, useSsl, true",
  })
  void acceptsSettingsThatEncryptAndAddsNothing(Engine engine, String key, String value) {
    assertThat(
            apply(
                engine,
                props(key, value, "restrictedAuth", "mysql_native_password, mysql_clear_password"),
                null,
                false))
        .isEmpty();
  }

  @Test
  void mariaDbMustAllowTheClearPasswordPluginThatCarriesTheToken() {
    assertThatThrownBy(
            () ->
                apply(
                    Engine.MARIADB, props("restrictedAuth", "mysql_native_password"), null, false))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("restrictedAuth:")
        .hasMessageContaining("mysql_clear_password");
  }

  @ParameterizedTest
  @CsvSource({
    "POSTGRESQL, sslmode, disable, sslmode",
    "POSTGRESQL, sslmode, allow, sslmode",
    "POSTGRESQL, sslmode, prefer, sslmode",
    "POSTGRESQL, ssl, false, ssl",
    "DSQL, sslmode, prefer, sslmode",
    "MYSQL, sslMode, PREFERRED, sslMode",
    "MYSQL, sslMode, DISABLED, sslMode",
    "MYSQL, useSSL, false, sslMode",
    "MYSQL, useSSL, true, sslMode",
    "MARIADB, sslMode, disable, sslMode",
    "MARIADB, useSsl, false, useSsl",
  })
  void refusesSettingsThatDoNotGuaranteeTlsNamingTheSetting(
      Engine engine, String key, String value, String named) {
    assertThatThrownBy(() -> apply(engine, props(key, value), null, false))
        .isInstanceOfSatisfying(
            InsecureConnectionException.class, e -> assertThat(e.setting()).isEqualTo(named))
        .hasMessageContaining(named + ":")
        .hasMessageContaining("iamAllowPlaintextForLocalTesting=true");
  }

  @Test
  void checksEveryValueGivenInUrlAndProperties() {
    Properties p = new Properties();
    p.setProperty("sslmode", "disable");
    Lookup both = Lookup.of(JdbcUrl.parse("jdbc:postgresql://h/db?sslmode=verify-full", "u"), p);
    assertThatThrownBy(() -> apply(Engine.POSTGRESQL, both, null, false))
        .isInstanceOf(InsecureConnectionException.class);
  }

  @Test
  void theOptOutLetsPlaintextThroughButStillDefaultsToTls() {
    assertThatCode(() -> apply(Engine.MYSQL, props("sslMode", "DISABLED"), null, true))
        .doesNotThrowAnyException();
    assertThat(apply(Engine.POSTGRESQL, props(), null, true))
        .containsEntry("sslmode", "verify-full");
  }

  @Test
  void checkOnlyRefusesWhenNothingIsSetBecauseTheDriverDefaultIsNotTls() {
    assertThatThrownBy(() -> check(Engine.POSTGRESQL, props(), false))
        .isInstanceOfSatisfying(
            InsecureConnectionException.class, e -> assertThat(e.setting()).isEqualTo("sslmode"));
    assertThatCode(() -> check(Engine.POSTGRESQL, props("sslmode", "require"), false))
        .doesNotThrowAnyException();
    assertThatCode(() -> check(Engine.POSTGRESQL, props(), true)).doesNotThrowAnyException();
  }

  @Test
  void theCaBundleBecomesEachDriversOwnSetting() throws Exception {
    Path ca = TlsMaterial.localhost().caPemFile();
    assertThat(apply(Engine.POSTGRESQL, props(), ca, false))
        .containsEntry("sslrootcert", ca.toAbsolutePath().toString());
    assertThat(apply(Engine.MARIADB, props(), ca, false))
        .containsEntry("serverSslCert", ca.toAbsolutePath().toString());
    Map<String, String> mysql = apply(Engine.MYSQL, props(), ca, false);
    assertThat(mysql)
        .containsEntry("trustCertificateKeyStoreType", "PKCS12")
        .containsEntry("trustCertificateKeyStorePassword", CaBundles.STORE_PASSWORD);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in =
        Files.newInputStream(
            Path.of(java.net.URI.create(mysql.get("trustCertificateKeyStoreUrl"))))) {
      ks.load(in, CaBundles.STORE_PASSWORD.toCharArray());
    }
    assertThat(ks.getCertificateAlias(TlsMaterial.localhost().caCertificate())).isNotNull();
  }

  @Test
  void theCaBundleConflictsWithAnotherCaSetting() {
    Path ca = TlsMaterial.localhost().caPemFile();
    assertThatThrownBy(
            () -> apply(Engine.POSTGRESQL, props("sslrootcert", "/other.pem"), ca, false))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("iamCaBundle")
        .hasMessageContaining("sslrootcert");
    assertThatThrownBy(
            () -> apply(Engine.MYSQL, props("trustCertificateKeyStoreUrl", "file:/x"), ca, false))
        .hasMessageContaining("trustCertificateKeyStoreUrl");
  }

  @ParameterizedTest
  @ValueSource(strings = {"missing.pem", "not-a-cert.pem"})
  void anUnreadableCaBundleNamesTheSetting(String name, @TempDir Path dir) throws Exception {
    Path f = dir.resolve(name);
    if (name.startsWith("not")) {
      Files.writeString(f, "hello");
    }
    assertThatThrownBy(() -> apply(Engine.MYSQL, props(), f, false))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("iamCaBundle:");
  }
}
