package io.github.iamauth4j.redisson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;
import org.redisson.config.Protocol;
import org.redisson.config.SslVerificationMode;

/** The configuration checks and the resolver's refusals, without a server. */
class IamRedissonTest {
  private final IamRedisson iam =
      IamRedisson.builder()
          .target(IamTarget.elastiCache("orders", "app"))
          .region("us-east-1")
          .credentialsProvider(TrustedCredentials.example().asProvider())
          .build();

  @AfterEach
  void close() {
    iam.close();
  }

  @Test
  void helpersBuildVerifiedTlsAddressesWithTheResolverTheHookAndResp3() {
    Config single = iam.singleServer("master.orders.abc123.use1.cache.amazonaws.com", 6379);
    assertThat(single.useSingleServer().getAddress())
        .isEqualTo("rediss://master.orders.abc123.use1.cache.amazonaws.com:6379");
    assertThat(single.getNettyHook()).isInstanceOf(IamNettyHook.class);
    assertThat(single.getProtocol()).isEqualTo(Protocol.RESP3);
    assertThat(single.getCredentialsResolver()).isSameAs(iam.credentialsResolver());

    Config cluster = iam.cluster("clustercfg.orders.abc123.use1.cache.amazonaws.com", 6379);
    assertThat(cluster.useClusterServers().getNodeAddresses())
        .containsExactly("rediss://clustercfg.orders.abc123.use1.cache.amazonaws.com:6379");

    Config replicas = iam.primaryAndReaders("primary.example", "reader.example", 6379);
    assertThat(replicas.useMasterSlaveServers().getMasterAddress())
        .isEqualTo("rediss://primary.example:6379");
    assertThat(replicas.useMasterSlaveServers().getSlaveAddresses())
        .containsExactly("rediss://reader.example:6379");
  }

  @Test
  void refusesPlaintextUnverifiedTlsCredentialsInTheAddressAndSentinel() {
    Config plain = new Config();
    plain.useSingleServer().setAddress("redis://cache.example:6379");
    assertThatThrownBy(() -> iam.configure(plain))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("TLS is off")
        .hasMessageContaining("allowPlaintextForLocalTesting()");

    Config unverified = new Config();
    unverified.useSingleServer().setAddress("rediss://cache.example:6379");
    unverified.setSslVerificationMode(SslVerificationMode.CA_ONLY);
    assertThatThrownBy(() -> iam.configure(unverified))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("does not verify the server");

    Config withPassword = new Config();
    withPassword.useClusterServers().addNodeAddress("rediss://app:s3cret@cache.example:6379");
    Throwable t = catchThrowable(() -> iam.configure(withPassword));
    assertThat(t).isInstanceOf(IamConfigurationException.class);
    assertThat(t.getMessage()).contains("user name or password").doesNotContain("s3cret");

    Config sentinel = new Config();
    sentinel.useSentinelServers().addSentinelAddress("rediss://sentinel.example:26379");
    assertThatThrownBy(() -> iam.configure(sentinel))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("Sentinel");
  }

  @Test
  void theResolverHandsOutNoTokenOnAConnectionItHasNotSeenThroughTheHook() {
    CompletableFuture<?> f =
        iam.credentialsResolver()
            .resolve(new InetSocketAddress("127.0.0.1", 6379))
            .toCompletableFuture();
    assertThat(f).isCompletedExceptionally();
    Throwable cause = catchThrowable(f::join).getCause();
    assertThat(cause).isInstanceOf(IamConfigurationException.class);
    assertThat(cause.getMessage()).contains("IamNettyHook").contains("no token was sent");
  }

  @Test
  void aResolverFromSettingsReportsEveryProblemAtOnce() {
    IamCredentialsResolver resolver = new IamCredentialsResolver();
    resolver.setKind("redis");
    resolver.setReauthenticationInterval("an hour");
    resolver.setFirstTokenTimeout("PT0S");
    Throwable cause =
        catchThrowable(
                () ->
                    resolver
                        .resolve(new InetSocketAddress("127.0.0.1", 6379))
                        .toCompletableFuture()
                        .join())
            .getCause();
    assertThat(cause).isInstanceOf(IamConfigurationException.class);
    assertThat(((IamConfigurationException) cause).problems())
        .anySatisfy(p -> assertThat(p).contains("cacheName: missing"))
        .anySatisfy(p -> assertThat(p).contains("userId: missing"))
        .anySatisfy(p -> assertThat(p).contains("kind: \"redis\""))
        .anySatisfy(p -> assertThat(p).contains("reauthenticationInterval"))
        .anySatisfy(p -> assertThat(p).contains("firstTokenTimeout"));
  }

  @Test
  void builderReportsEveryProblemAtOnceAndToStringHasNoSecret() {
    Throwable t =
        catchThrowable(
            () ->
                IamRedisson.builder()
                    .target(IamTarget.elastiCache("orders", "app"))
                    .tokenProvider(iam.tokenProvider())
                    .firstTokenTimeout(java.time.Duration.ZERO)
                    .build());
    assertThat(t).isInstanceOf(IamConfigurationException.class);
    assertThat(((IamConfigurationException) t).problems())
        .anySatisfy(p -> assertThat(p).startsWith("tokenProvider: given together with"))
        .anySatisfy(p -> assertThat(p).startsWith("firstTokenTimeout: PT0S is not positive"));
    assertThat(iam.toString())
        .contains("orders")
        .doesNotContain(TrustedCredentials.example().secretAccessKey());
  }

  /** The README's Redisson 4.x YAML: the resolver and the hook at the top level. */
  @Test
  void redissonYamlBuildsTheResolverAndTheHookFromTheirSettings() throws Exception {
    Config config =
        Config.fromYAML(
            "singleServerConfig:\n"
                + "  address: rediss://master.orders.abc123.use1.cache.amazonaws.com:6379\n"
                + "credentialsResolver: !<io.github.iamauth4j.redisson.IamCredentialsResolver>\n"
                + "  cacheName: orders\n"
                + "  userId: app\n"
                + "  region: us-east-1\n"
                + "  kind: elasticache-serverless\n"
                + "  reauthenticationInterval: PT30M\n"
                + "nettyHook: !<io.github.iamauth4j.redisson.IamNettyHook> {}\n"
                + "protocol: RESP3\n");
    assertThat(config.getNettyHook()).isInstanceOf(IamNettyHook.class);
    assertThat(config.getProtocol()).isEqualTo(Protocol.RESP3);
    assertThat(config.getCredentialsResolver()).isInstanceOf(IamCredentialsResolver.class);
    try (IamCredentialsResolver resolver =
        (IamCredentialsResolver) config.getCredentialsResolver()) {
      assertThat(resolver.toString()).contains("cacheName=orders").contains("not started");
      assertThat(resolver.tokenProvider().target())
          .isEqualTo(IamTarget.elastiCacheServerless("orders", "app"));
      assertThat(resolver.renewals().policy().reauthenticationInterval())
          .isEqualTo(java.time.Duration.ofMinutes(30));
    }
  }
}
