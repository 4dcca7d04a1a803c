package io.github.iamauth4j.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.MysqlDataSource;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.sql.SQLNonTransientConnectionException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

class IamDataSourceTest {
  private static final IamJdbcConfig CONFIG =
      IamJdbcConfig.builder()
          .auth(
              IamAuthConfig.builder()
                  .region("us-east-1")
                  .credentialsProvider(TrustedCredentials.example().asProvider()))
          .build();

  @Test
  void completesAPgjdbcDataSourceWithVerifyFullAndSignsForItsEndpoint() {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setServerNames(new String[] {"localhost"});
    pg.setPortNumbers(new int[] {6543});
    pg.setDatabaseName("db");
    pg.setUser("app");
    try (IamDataSource ds = IamDataSource.builder().dataSource(pg).config(CONFIG).build()) {
      assertThat(pg.getSslMode()).isEqualTo("verify-full");
      assertThat(ds.tokenProvider().target()).isEqualTo(IamTarget.rds("localhost", 6543, "app"));
    }
  }

  @Test
  void completesMysqlAndMariaDbDataSources() throws Exception {
    MysqlDataSource my = new MysqlDataSource();
    my.setServerName("localhost");
    my.setPort(3307);
    my.setDatabaseName("db");
    try (IamDataSource ds =
        IamDataSource.builder().dataSource(my).user("app").config(CONFIG).build()) {
      assertThat(my.getSslMode()).isEqualTo("VERIFY_IDENTITY");
      assertThat(ds.tokenProvider().target().signedHost()).isEqualTo("localhost:3307");
    }
    MariaDbDataSource maria = new MariaDbDataSource("jdbc:mariadb://localhost:3308/db");
    try (IamDataSource ds =
        IamDataSource.builder().dataSource(maria).user("app").config(CONFIG).build()) {
      assertThat(maria.getUrl()).containsIgnoringCase("sslMode=verify_full");
      assertThat(ds.tokenProvider().target().signedHost()).isEqualTo("localhost:3308");
    }
  }

  @Test
  void refusesADataSourceWithPlaintextSettingsOrOfAnUnknownKind() {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setServerNames(new String[] {"localhost"});
    pg.setSslMode("prefer");
    assertThatThrownBy(() -> IamDataSource.builder().dataSource(pg).user("a").build())
        .isInstanceOf(InsecureConnectionException.class);
    assertThatThrownBy(
            () -> IamDataSource.builder().dataSource(new IamDataSourceTestStub()).user("a").build())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("dataSource:")
        .hasMessageContaining("builder().url");
  }

  @Test
  void theUrlModeChecksAtBuildAndNamesMissingSettings() throws Exception {
    assertThatThrownBy(() -> IamDataSource.builder().build())
        .hasMessageContaining("url, dataSource: exactly one is required");
    assertThatThrownBy(
            () ->
                IamDataSource.builder()
                    .url("jdbc:mysql://localhost/db?sslMode=PREFERRED")
                    .user("a")
                    .config(CONFIG)
                    .build())
        .isInstanceOf(InsecureConnectionException.class);
    try (IamDataSource ds =
        IamDataSource.builder().url("jdbc:postgresql://localhost/db").config(CONFIG).build()) {
      assertThatThrownBy(ds::getConnection)
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .hasCauseInstanceOf(IamConfigurationException.class)
          .hasMessageContaining("user: is required");
    }
  }

  @Test
  void acceptsIamauth4jUrlsIncludingDsql() {
    try (IamDataSource ds =
        IamDataSource.builder()
            .url("jdbc:iamauth4j:dsql://abc123.dsql.us-east-1.on.aws/postgres")
            .user("admin")
            .config(CONFIG)
            .build()) {
      assertThat(ds.tokenProvider().target())
          .isEqualTo(IamTarget.dsqlAdmin("abc123.dsql.us-east-1.on.aws"));
    }
  }

  @Test
  void equalSettingsShareOneProviderThatEachOnesListenersHearAndTheLastCloses() {
    AwsCredentialsProvider creds = TrustedCredentials.example().asProvider();
    List<IamAuthEvent> first = new CopyOnWriteArrayList<>();
    List<IamAuthEvent> second = new CopyOnWriteArrayList<>();
    IamJdbcConfig a =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region("us-east-1")
                    .credentialsProvider(creds)
                    .listener(first::add))
            .build();
    IamJdbcConfig b =
        IamJdbcConfig.builder()
            .auth(
                IamAuthConfig.builder()
                    .region("us-east-1")
                    .credentialsProvider(creds)
                    .listener(second::add))
            .build();
    String url = "jdbc:postgresql://localhost:5432/db?sslmode=require";
    IamDataSource one = IamDataSource.builder().url(url).user("app").config(a).build();
    IamTokenProvider shared = one.tokenProvider();
    try (IamDataSource two = IamDataSource.builder().url(url).user("app").config(b).build()) {
      assertThat(two.tokenProvider()).isSameAs(shared);
      assertThat(two.tokenProvider().token().value()).isEqualTo(shared.token().value());
      // The provider was built from the first configuration; the second's listener was attached.
      shared
          .events()
          .publish(
              new IamAuthEvent.ConnectionReauthenticated(shared.target(), Instant.now(), "c1"));
      assertThat(first)
          .filteredOn(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
          .hasSize(1);
      assertThat(second)
          .filteredOn(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
          .hasSize(1);
      one.close();
      assertThat(shared.isClosed()).isFalse();
    }
    assertThat(shared.isClosed()).isTrue();
  }
}
