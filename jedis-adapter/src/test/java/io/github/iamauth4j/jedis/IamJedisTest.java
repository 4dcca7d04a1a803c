package io.github.iamauth4j.jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.RenewalPolicy;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.RedisCredentialsProvider;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The adapter's configuration rules, without a server: typed errors, TLS rule, pool settings. */
// Apps on Jedis 7 and 8 alike still write ssl(true) and sslParameters(...), deprecated in Jedis 8.
@SuppressWarnings("deprecation")
class IamJedisTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private IamJedis iam;

  private static IamAuthConfig config(IamTarget target) {
    return IamAuthConfig.builder()
        .target(target)
        .region("us-east-1")
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", SECRET)))
        .build();
  }

  private IamJedis iam(IamJedis.Builder b) {
    iam = b.build();
    return iam;
  }

  private IamJedis iam() {
    return iam(IamJedis.builder().config(config(IamTarget.elastiCache("orders", "app"))));
  }

  @AfterEach
  void close() {
    if (iam != null) {
      iam.close();
    }
  }

  @Test
  void aBuilderWithoutATargetIsATypedErrorNamingTheSetting() {
    IamConfigurationException e =
        catchThrowableOfType(IamConfigurationException.class, () -> IamJedis.builder().build());

    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith("target: is required")
        .contains("IamJedis.builder().target(");
  }

  @Test
  void aTargetThatIsNotRedisIsATypedErrorNamingTheSetting() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class,
            () ->
                IamJedis.builder()
                    .config(config(IamTarget.rds("db.example.com", 5432, "app")))
                    .build());

    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith("target: RDS endpoint")
        .contains("is not something IamJedis connects to");
  }

  @Test
  void theBuilderShortcutsAreTheCoreConfigurationsSettings() {
    IamJedis adapter =
        iam(
            IamJedis.builder()
                .target(IamTarget.elastiCache("orders", "app"))
                .region("us-east-1")
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", SECRET)))
                .firstTokenTimeout(Duration.ofSeconds(2)));

    assertThat(adapter.tokenProvider().target()).isEqualTo(IamTarget.elastiCache("orders", "app"));
    assertThat(adapter.tokenProvider().region()).isEqualTo("us-east-1");
    assertThat(adapter.tokenProvider().firstTokenTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(adapter.tokenProvider().token().userName()).isEqualTo("app");
  }

  @Test
  void theDefaultClientConfigurationIsVerifiedTlsOverResp3WithTheIamCredentials() {
    JedisClientConfig c = iam().clientConfig();

    assertThat(c.isSsl()).isTrue();
    assertThat(c.getRedisProtocol()).isEqualTo(RedisProtocol.RESP3);
    SSLParameters params = c.getSslParameters();
    assertThat(params.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(c.getCredentialsProvider()).isInstanceOf(RedisCredentialsProvider.class);
    RedisCredentials credentials = c.getCredentialsProvider().get();
    assertThat(credentials.getUser()).isEqualTo("app");
    assertThat(new String(credentials.getPassword())).startsWith("orders/?");
    assertThat(credentials.toString()).doesNotContain("X-Amz-Signature");
    assertThat(c.getCredentialsProvider().toString()).doesNotContain("X-Amz");
    assertThat(iam.clientConfig(c).getCredentialsProvider())
        .as("a configuration built here, passed again")
        .isSameAs(c.getCredentialsProvider());
  }

  @Test
  void everyProblemOfAnAppsClientConfigurationIsReportedAtOnce() {
    JedisClientConfig app =
        DefaultJedisClientConfig.builder()
            .ssl(true)
            .user("someone-else")
            .password("a-static-password")
            .protocol(RedisProtocol.RESP2)
            .build();

    IamConfigurationException e =
        catchThrowableOfType(IamConfigurationException.class, () -> iam().clientConfig(app));

    assertThat(e.problems())
        .hasSize(3)
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("JedisClientConfig user: \"someone-else\" does not match")
                    .contains("\"app\""))
        .anySatisfy(p -> assertThat(p).startsWith("JedisClientConfig password: set"))
        .anySatisfy(p -> assertThat(p).startsWith("JedisClientConfig protocol: RESP2"));
    assertThat(e.getMessage()).doesNotContain("a-static-password");
  }

  @Test
  void anAppsConfigurationKeepsItsSettingsAndGetsTheCredentials() {
    JedisClientConfig app =
        DefaultJedisClientConfig.builder()
            .ssl(true)
            .user("app")
            .clientName("orders-service")
            .socketTimeoutMillis(1234)
            .database(2)
            .build();

    JedisClientConfig c = iam().clientConfig(app);

    assertThat(c.getClientName()).isEqualTo("orders-service");
    assertThat(c.getSocketTimeoutMillis()).isEqualTo(1234);
    assertThat(c.getDatabase()).isEqualTo(2);
    assertThat(c.getRedisProtocol()).isEqualTo(RedisProtocol.RESP3);
    assertThat(c.getCredentialsProvider().get().getUser()).isEqualTo("app");
  }

  @Test
  void plaintextOrUnverifiedTlsIsRefusedUnlessExplicitlyAllowed() {
    IamJedis strict = iam();
    JedisClientConfig plaintext = DefaultJedisClientConfig.builder().build();
    SSLParameters noHostCheck = new SSLParameters();
    JedisClientConfig unverified =
        DefaultJedisClientConfig.builder().ssl(true).sslParameters(noHostCheck).build();
    JedisClientConfig insecureOptions =
        DefaultJedisClientConfig.builder()
            .sslOptions(SslOptions.builder().sslVerifyMode(SslVerifyMode.INSECURE).build())
            .build();

    for (JedisClientConfig bad : new JedisClientConfig[] {plaintext, unverified, insecureOptions}) {
      InsecureConnectionException e =
          catchThrowableOfType(InsecureConnectionException.class, () -> strict.clientConfig(bad));
      assertThat(e.getMessage()).contains("allowPlaintextForLocalTesting()");
      assertThat(e.setting()).isNotBlank();
    }
    // Nothing connects: the providers refuse before they open anything.
    assertThat(
            catchThrowableOfType(
                InsecureConnectionException.class,
                () ->
                    strict.connectionProvider(
                        new HostAndPort("127.0.0.1", 1), plaintext, strict.poolConfig())))
        .isNotNull();
    assertThat(
            catchThrowableOfType(
                InsecureConnectionException.class,
                () ->
                    strict.clusterConnectionProvider(
                        Set.of(new HostAndPort("127.0.0.1", 1)),
                        plaintext,
                        strict.poolConfig(),
                        null)))
        .isNotNull();

    IamJedis lenient =
        IamJedis.builder()
            .config(config(IamTarget.elastiCache("orders", "app")))
            .allowPlaintextForLocalTesting()
            .build();
    try {
      assertThat(lenient.clientConfig(plaintext).isSsl()).isFalse();
      assertThat(lenient.toString()).contains("PLAINTEXT ALLOWED");
    } finally {
      lenient.close();
    }
  }

  @Test
  void poolsCheckIdleConnectionsOftenEnoughToReauthenticateThemInTime() {
    GenericObjectPoolConfig<Connection> defaults = iam().poolConfig();
    assertThat(defaults.getTestWhileIdle()).isTrue();
    assertThat(defaults.getNumTestsPerEvictionRun()).isEqualTo(-1);
    assertThat(defaults.getDurationBetweenEvictionRuns()).isEqualTo(Duration.ofSeconds(30));

    iam.close();
    RenewalPolicy compressed =
        RenewalPolicy.builder()
            .connectionLimit(Duration.ofSeconds(3))
            .reauthenticationInterval(Duration.ofSeconds(1))
            .reauthenticationJitter(Duration.ofMillis(300))
            .maxConnectionAge(Duration.ofSeconds(2))
            .maxConnectionAgeJitter(Duration.ofMillis(500))
            .build();
    IamJedis fast =
        iam(
            IamJedis.builder()
                .config(config(IamTarget.elastiCache("orders", "app")))
                .renewalPolicy(compressed));
    assertThat(fast.poolConfig().getDurationBetweenEvictionRuns())
        .isEqualTo(Duration.ofMillis(250));
    GenericObjectPoolConfig<Connection> app = new GenericObjectPoolConfig<>();
    app.setTimeBetweenEvictionRuns(Duration.ofMillis(100));
    assertThat(fast.poolConfig(app).getDurationBetweenEvictionRuns())
        .as("a shorter period the app chose is kept")
        .isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void toStringNamesTheTargetAndNoSecret() {
    IamJedis adapter = iam();
    adapter.tokenProvider().token();

    assertThat(adapter.toString())
        .contains("ElastiCache cache \"orders\"")
        .doesNotContain(SECRET)
        .doesNotContain(adapter.tokenProvider().token().value());
  }
}
