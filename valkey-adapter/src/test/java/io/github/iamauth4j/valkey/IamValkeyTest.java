package io.github.iamauth4j.valkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.valkey.internal.RenewingEvictionPolicy;
import io.valkey.ConnectionPoolConfig;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.JedisClientConfig;
import io.valkey.JedisPoolConfig;
import io.valkey.RedisProtocol;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The entry point's configuration rules, without a server. */
class IamValkeyTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private IamValkey iam;

  private IamValkey iam(boolean plaintext) {
    IamValkey.Builder b =
        IamValkey.builder()
            .config(
                IamAuthConfig.builder()
                    .target(IamTarget.elastiCache("orders", "app"))
                    .region("us-east-1")
                    .credentialsProvider(
                        StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", SECRET)))
                    .build());
    if (plaintext) {
      b.allowPlaintextForLocalTesting();
    }
    iam = b.build();
    return iam;
  }

  @AfterEach
  void close() {
    if (iam != null) {
      iam.close();
    }
  }

  @Test
  void theDefaultClientConfigIsTlsWithHostVerificationResp3AndIamCredentials() {
    JedisClientConfig config = iam(false).clientConfig();

    assertThat(config.isSsl()).isTrue();
    assertThat(config.getSslParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(config.getRedisProtocol()).isEqualTo(RedisProtocol.RESP3);
    assertThat(config.getCredentialsProvider().get().getUser()).isEqualTo("app");
    assertThat(new String(config.getCredentialsProvider().get().getPassword()))
        .startsWith("orders/?")
        .contains("X-Amz-Signature=");
    assertThat(config.getCredentialsProvider().toString())
        .doesNotContain("X-Amz")
        .contains("orders");
  }

  @Test
  void aPlainTcpConfigIsRefusedWithATypedErrorNamingTheSettingAndTheOptOut() {
    JedisClientConfig plain = DefaultJedisClientConfig.builder().ssl(false).build();

    assertThatThrownBy(() -> iam(false).clientConfig(plain))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("TLS is off")
        .hasMessageContaining("ssl")
        .hasMessageContaining("IamValkey.Builder.allowPlaintextForLocalTesting()");
  }

  @Test
  void tlsWithoutHostVerificationIsRefusedButPlainSslTrueGetsVerificationAdded() {
    SSLParameters noCheck = new SSLParameters();
    JedisClientConfig unverified =
        DefaultJedisClientConfig.builder().ssl(true).sslParameters(noCheck).build();
    IamValkey adapter = iam(false);

    assertThatThrownBy(() -> adapter.clientConfig(unverified))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("does not verify the server");
    JedisClientConfig added =
        adapter.clientConfig(
            DefaultJedisClientConfig.builder()
                .ssl(true)
                .clientName("orders-app")
                .socketTimeoutMillis(1234)
                .build());
    assertThat(added.getSslParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(added.getClientName()).as("the app's settings are kept").isEqualTo("orders-app");
    assertThat(added.getSocketTimeoutMillis()).isEqualTo(1234);
  }

  @Test
  void theOptOutAllowsPlaintext() {
    JedisClientConfig plain =
        iam(true).clientConfig(DefaultJedisClientConfig.builder().ssl(false).build());

    assertThat(plain.isSsl()).isFalse();
    assertThat(iam.toString()).contains("PLAINTEXT ALLOWED").doesNotContain(SECRET);
  }

  @Test
  void poolConfigsGetTheRenewingEvictorOverEveryIdleConnection() {
    IamValkey adapter = iam(false);
    ConnectionPoolConfig pool = adapter.poolConfig();
    JedisPoolConfig jedis = adapter.jedisPoolConfig();

    assertThat(pool.getEvictionPolicy()).isInstanceOf(RenewingEvictionPolicy.class);
    assertThat(jedis.getEvictionPolicy()).isInstanceOf(RenewingEvictionPolicy.class);
    assertThat(pool.getNumTestsPerEvictionRun()).isEqualTo(-1);
    assertThat(pool.getDurationBetweenEvictionRuns())
        .as("valkey-java's 30 seconds, more frequent than the adapter needs, is kept")
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(
            adapter
                .configurePool(new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>())
                .getDurationBetweenEvictionRuns())
        .as("no evictor: a tenth of the hourly re-authentication interval, at most a minute")
        .isEqualTo(Duration.ofMinutes(1));
    ConnectionPoolConfig frequent = new ConnectionPoolConfig();
    frequent.setTimeBetweenEvictionRuns(Duration.ofSeconds(5));
    assertThat(adapter.configurePool(frequent).getDurationBetweenEvictionRuns())
        .as("a more frequent evictor is kept")
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theEvictionPeriodFollowsThePolicyWithinBounds() {
    RenewalPolicy fast =
        RenewalPolicy.builder()
            .connectionLimit(Duration.ofSeconds(3))
            .reauthenticationInterval(Duration.ofSeconds(1))
            .reauthenticationJitter(Duration.ofMillis(300))
            .maxConnectionAge(Duration.ofSeconds(2))
            .maxConnectionAgeJitter(Duration.ofMillis(500))
            .build();
    iam =
        IamValkey.builder()
            .config(
                IamAuthConfig.builder()
                    .target(IamTarget.elastiCache("orders", "app"))
                    .region("us-east-1")
                    .credentialsProvider(
                        StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", SECRET)))
                    .build())
            .renewalPolicy(fast)
            .build();

    assertThat(iam.evictionPeriod()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void theBuilderReportsEveryProblemAtOnce() throws Exception {
    KeyStore empty = KeyStore.getInstance(KeyStore.getDefaultType());
    empty.load(null, null);

    assertThatThrownBy(
            () ->
                IamValkey.builder()
                    .trustStore(empty)
                    .sslSocketFactory(
                        (javax.net.ssl.SSLSocketFactory)
                            javax.net.ssl.SSLSocketFactory.getDefault())
                    .build())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("target: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("trustStore: given together")));
  }

  @Test
  void theBuilderShortcutsAreTheCoreConfigurationsSettingsAndATargetMustBeRedis() {
    iam =
        IamValkey.builder()
            .target(IamTarget.memoryDb("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", SECRET)))
            .firstTokenTimeout(Duration.ofSeconds(2))
            .build();

    assertThat(iam.tokenProvider().target()).isEqualTo(IamTarget.memoryDb("orders", "app"));
    assertThat(iam.tokenProvider().firstTokenTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(iam.renewals().open()).isZero();
    assertThatThrownBy(
            () ->
                IamValkey.builder()
                    .target(IamTarget.rds("db.example.com", 5432, "app"))
                    .region("us-east-1")
                    .build())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("target: RDS endpoint")
                    .contains("is not something IamValkey connects to"));
  }

  @Test
  void badEndpointsAreTypedErrorsNamingTheSetting() {
    IamValkey adapter = iam(false);

    assertThatThrownBy(() -> adapter.pooled(" ", 0))
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("host: blank"))
                    .anySatisfy(p -> assertThat(p).startsWith("port: 0 is out of range")));
    assertThatThrownBy(
            () -> adapter.cluster(Set.of(), adapter.clientConfig(), adapter.poolConfig()))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("seeds");
  }
}
