package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

class IamDriverTest {
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final IamAuthListener listener = events::add;
  private static final String CREDS =
      "&iamCredentialsProvider=" + ExampleCredentialsProvider.class.getName();

  @BeforeEach
  void listen() {
    IamDriver.addListener(listener);
  }

  @AfterEach
  void stop() {
    IamDriver.removeListener(listener);
    IamDriver.closeSharedTokenProviders();
  }

  private static Properties user(String user) {
    Properties p = new Properties();
    p.setProperty("user", user);
    return p;
  }

  @Test
  void isFoundByDriverManagerForItsUrlsOnly() throws Exception {
    Driver d = DriverManager.getDriver("jdbc:iamauth4j:postgresql://h/db");
    assertThat(d).isInstanceOf(IamDriver.class);
    assertThat(d.acceptsURL("jdbc:postgresql://h/db")).isFalse();
    assertThat(d.connect("jdbc:postgresql://h/db", new Properties())).isNull();
    assertThat(d.getPropertyInfo("jdbc:iamauth4j:postgresql://h/db", null))
        .extracting(p -> p.name)
        .contains("user", "iamRegion", "iamAllowPlaintextForLocalTesting");
  }

  @Test
  void anUnknownEngineOrUnparseableUrlIsATypedErrorNamingTheUrl() {
    assertThatThrownBy(() -> new IamDriver().connect("jdbc:iamauth4j:oracle://h/db", user("a")))
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasCauseInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("url: engine \"oracle\" is not supported");
    assertThatThrownBy(
            () -> new IamDriver().connect("jdbc:iamauth4j:mysql://h1,h2:3306/db", user("a")))
        .hasCauseInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("url: names several hosts");
  }

  @Test
  void aMissingUserIsATypedErrorNamingSpringsSetting() {
    assertThatThrownBy(
            () ->
                new IamDriver()
                    .connect(
                        "jdbc:iamauth4j:postgresql://db1.abc.eu-west-1.rds.amazonaws.com/app?x=1"
                            + CREDS,
                        new Properties()))
        .hasCauseInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("user: is required")
        .hasMessageContaining("spring.datasource.username");
    assertThat(events).isEmpty();
  }

  @Test
  void aHostWithoutRegionIsATypedErrorNamingIamRegion() {
    assertThatThrownBy(
            () ->
                new IamDriver()
                    .connect("jdbc:iamauth4j:mariadb://localhost:3306/db?a=b" + CREDS, user("app")))
        .hasCauseInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("iamRegion");
  }

  private static final String RDS_HOST =
      "jdbc:iamauth4j:postgresql://db1.abc.eu-west-1.rds.amazonaws.com/app";

  private static SQLException refusal(String url, Properties props) {
    try {
      new IamDriver().connect(url, props);
    } catch (SQLException e) {
      return e;
    }
    throw new AssertionError("connected");
  }

  private static List<String> problems(SQLException e) {
    assertThat(e.getCause()).isInstanceOf(IamConfigurationException.class);
    return ((IamConfigurationException) e.getCause()).problems();
  }

  @Test
  void oneCauseGivesOneLineNamingTheSettingTheUserWrote() {
    // A region that does not exist: one problem, about iamRegion, not "set iamRegion" as well.
    SQLException mars =
        refusal(
            "jdbc:iamauth4j:mariadb://localhost:3306/db?iamRegion=mars-north-9" + CREDS,
            user("app"));
    assertThat((Throwable) mars).isInstanceOf(SQLNonTransientConnectionException.class);
    assertThat(problems(mars))
        .singleElement()
        .asString()
        .startsWith("iamRegion: \"mars-north-9\" is not an AWS region")
        .doesNotContain("set it");
    // A host that names no region and no region set: one problem, naming iamRegion.
    SQLException none =
        refusal("jdbc:iamauth4j:mariadb://localhost:3306/db?a=b" + CREDS, user("app"));
    assertThat(problems(none))
        .singleElement()
        .asString()
        .startsWith("iamRegion: could not be determined")
        .contains("iamRegion=us-east-1");
    // The token life and the signing host under their property names.
    assertThat(problems(refusal(RDS_HOST + "?iamTokenExpiry=7200" + CREDS, user("app"))))
        .singleElement()
        .asString()
        .startsWith("iamTokenExpiry: ");
    assertThat(
            problems(
                refusal(
                    RDS_HOST + "?iamHost=not_a..host&iamRegion=us-east-1" + CREDS, user("app"))))
        .singleElement()
        .asString()
        .startsWith("iamHost: ");
    assertThat(events).isEmpty();
  }

  @Test
  void aHostileProfileNameIsNeitherEchoedNorLeftToTheTokenProvider() {
    Properties p = user("app");
    p.setProperty("iamProfile", "x\nevil.example");
    SQLException e = refusal(RDS_HOST, p);
    assertThat((Throwable) e)
        .isInstanceOf(SQLInvalidAuthorizationSpecException.class)
        .isNotInstanceOf(SQLTransientException.class);
    assertThat(e.getSQLState()).isEqualTo("28000");
    assertThat(e.getMessage())
        .contains("iamProfile: (a value of 14 characters, not repeated here)")
        .doesNotContain("\n")
        .doesNotContain("evil.example");
    // No token provider was made for it, so none logs or retries.
    assertThat(events).isEmpty();
  }

  @Test
  void aMisspelledProfileIsAConfigurationErrorThatPoolsDoNotRetry() {
    Properties p = user("app");
    p.setProperty("iamProfile", "prodd");
    SQLException e = refusal(RDS_HOST, p);
    assertThat((Throwable) e)
        .isInstanceOf(SQLInvalidAuthorizationSpecException.class)
        .isNotInstanceOf(SQLTransientException.class);
    assertThat(e.getSQLState()).isEqualTo("28000");
    assertThat(e.getMessage()).contains("iamProfile: no profile \"prodd\"");
    assertThat(events).isEmpty();
  }

  /** Credentials whose source is down. */
  public static final class DownCredentials implements AwsCredentialsProvider {
    /** Made by class name. */
    public DownCredentials() {}

    @Override
    public AwsCredentials resolveCredentials() {
      throw new IllegalStateException("connect timed out: 169.254.169.254\nforged line");
    }
  }

  @Test
  void anOutageOfTheCredentialSourceIsTransientAndItsMessageCannotForgeLogLines() {
    Properties p = user("app");
    p.setProperty("iamCredentialsProvider", DownCredentials.class.getName());
    SQLException e = refusal(RDS_HOST, p);
    assertThat((Throwable) e).isInstanceOf(SQLTransientConnectionException.class);
    assertThat(e.getCause()).isInstanceOf(TokenUnavailableException.class);
    assertThat(e.getMessage()).contains("connect timed out").doesNotContain("\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgresql", "mysql", "mariadb", "dsql"})
  void aMissingOrNonPemCaBundleFailsFirstForEveryEngine(String engine, @TempDir Path dir)
      throws Exception {
    String host =
        engine.equals("dsql") ? "abc.dsql.us-east-1.on.aws" : "db1.abc.eu-west-1.rds.amazonaws.com";
    Path notPem = Files.writeString(dir.resolve("bundle.pem"), "not a certificate");
    for (Path bundle : List.of(dir.resolve("missing.pem"), notPem)) {
      SQLException e =
          refusal(
              "jdbc:iamauth4j:" + engine + "://" + host + "/app?iamCaBundle=" + bundle + CREDS,
              user("app"));
      assertThat((Throwable) e).isInstanceOf(SQLNonTransientConnectionException.class);
      assertThat(problems(e)).singleElement().asString().startsWith("iamCaBundle: ");
    }
    assertThat(events).isEmpty();
  }

  @Test
  void plaintextIsRefusedBeforeAnyTokenIsMade() {
    assertThatThrownBy(
            () ->
                new IamDriver()
                    .connect(
                        "jdbc:iamauth4j:postgresql://localhost:5432/db?sslmode=disable"
                            + "&iamRegion=us-east-1"
                            + CREDS,
                        user("app")))
        .isInstanceOf(SQLNonTransientConnectionException.class)
        // The core's wording: where, the setting and the values accepted, no token sent, the
        // opt-out in both of its spellings.
        .hasMessageContaining(
            "sslmode: \"disable\" does not guarantee TLS, for jdbc:postgresql://localhost:5432/db")
        .hasMessageContaining("expected sslmode=verify-full (recommended), verify-ca or require")
        .hasMessageContaining("No token was sent.")
        .hasMessageContaining("iamAllowPlaintextForLocalTesting=true")
        .hasMessageContaining("IamJdbcConfig.Builder.allowPlaintextForLocalTesting(true)")
        .cause()
        .isInstanceOfSatisfying(
            InsecureConnectionException.class, e -> assertThat(e.setting()).isEqualTo("sslmode"));
    assertThat(events).isEmpty();
  }
}
