package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLNonTransientConnectionException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
        .cause()
        .isInstanceOfSatisfying(
            InsecureConnectionException.class, e -> assertThat(e.setting()).isEqualTo("sslmode"));
    assertThat(events).isEmpty();
  }
}
