package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.InsecureConnectionException;
import io.github.iamauth4j.core.RenewalPolicy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.event.connection.ReauthenticationEvent;
import io.lettuce.core.event.connection.ReauthenticationFailedEvent;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.lang.reflect.Proxy;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IamLettuceTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeCredentials aws = new FakeCredentials();
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final IamLettuce iam =
      IamLettuce.builder()
          .target(IamTarget.elastiCache("orders", "app"))
          .region("us-east-1")
          .credentialsProvider(aws)
          .clock(clock)
          .scheduler(scheduler)
          .listener(events::add)
          .build();

  @AfterEach
  void close() {
    iam.close();
  }

  @Test
  void clientResourcesConfiguredByTheAdapterReportReauthenticationsWithNoFurtherCall() {
    io.lettuce.core.resource.ClientResources resources =
        iam.configure(io.lettuce.core.resource.DefaultClientResources.builder()).build();
    try {
      resources
          .eventBus()
          .publish(new io.lettuce.core.event.connection.ReauthenticationEvent("ep-1"));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  events.stream()
                      .anyMatch(e -> e instanceof IamAuthEvent.ConnectionReauthenticated));
      assertThat(events)
          .filteredOn(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(((IamAuthEvent.ConnectionReauthenticated) e).connection())
                      .contains("ep-1"));
    } finally {
      resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void buildingStartsTheFirstFetchInTheBackground() {
    assertThat(aws.calls()).isZero();
    assertThat(scheduler.runPending()).isEqualTo(1);
    assertThat(aws.calls()).isEqualTo(1);
    assertThat(iam.credentials().resolveCredentials().toFuture()).isCompleted();
    assertThat(iam.tokenProvider().userName()).isEqualTo("app");
    assertThat(iam.renewalPolicy()).isEqualTo(RenewalPolicy.defaults());
  }

  @Test
  void anEndpointUriUsesTlsWithFullVerificationAndTheIamCredentials() {
    RedisURI uri = iam.redisUri("master.orders.abc123.use1.cache.amazonaws.com", 6379);

    assertThat(uri.isSsl()).isTrue();
    assertThat(uri.getVerifyMode()).isEqualTo(SslVerifyMode.FULL);
    assertThat(uri.getHost()).isEqualTo("master.orders.abc123.use1.cache.amazonaws.com");
    assertThat(uri.getPort()).isEqualTo(6379);
    assertThat(uri.getCredentialsProvider()).isSameAs(iam.credentials());
  }

  @Test
  void aPlaintextUriIsRefusedNamingTheOptOut() {
    assertThatThrownBy(() -> iam.redisUri(RedisURI.create("redis://localhost:6380")))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("localhost:6380")
        .hasMessageContaining("TLS is off")
        .hasMessageContaining("allowPlaintextForLocalTesting()");
    assertThatThrownBy(() -> iam.redisClient(RedisURI.create("redis://localhost:6380")))
        .isInstanceOf(IamConfigurationException.class);
    assertThatThrownBy(() -> iam.clusterClient(List.of(RedisURI.create("redis://localhost:7000"))))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("localhost:7000");
  }

  @Test
  void tlsWithoutPeerVerificationIsRefused() {
    RedisURI unverified = RedisURI.create("rediss://localhost:6380");
    unverified.setVerifyPeer(SslVerifyMode.NONE);

    assertThatThrownBy(() -> iam.redisUri(unverified))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("does not verify the server")
        .hasMessageContaining("allowPlaintextForLocalTesting()");
  }

  @Test
  void theCredentialsHookIsHandedOutOnlyForAVerifiedTlsConnection() {
    // The Spring Data Redis way in: a framework asks for the provider with the connection's
    // settings; a plaintext or unverified connection never gets it.
    assertThatThrownBy(() -> iam.credentialsProvider(RedisURI.create("redis://localhost:6379")))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("TLS is off");
    assertThatThrownBy(() -> iam.credentialsProvider("localhost", 6379, false, false))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("localhost:6379");
    assertThatThrownBy(() -> iam.credentialsProvider("localhost", 6379, true, false))
        .isInstanceOf(InsecureConnectionException.class)
        .hasMessageContaining("does not verify the server");
    assertThat(iam.credentialsProvider("localhost", 6380, true, true)).isSameAs(iam.credentials());
    assertThat(iam.credentialsProvider(RedisURI.create("rediss://localhost:6380")))
        .isSameAs(iam.credentials());
  }

  @Test
  void theAppsUriKeepsItsSettingsAndGetsTheIamCredentialsInPlaceOfAPassword() {
    RedisURI own =
        RedisURI.builder()
            .withHost("localhost")
            .withPort(6380)
            .withSsl(true)
            .withVerifyPeer(SslVerifyMode.CA)
            .withAuthentication("someone", "static-password")
            .withTimeout(Duration.ofSeconds(3))
            .withClientName("orders-api")
            .withDatabase(0)
            .build();

    RedisURI secured = iam.redisUri(own);

    assertThat(secured).isNotSameAs(own);
    assertThat(secured.getCredentialsProvider()).isSameAs(iam.credentials());
    assertThat(secured.getVerifyMode()).isEqualTo(SslVerifyMode.CA);
    assertThat(secured.getTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(secured.getClientName()).isEqualTo("orders-api");
    assertThat(own.getCredentialsProvider()).isNotSameAs(iam.credentials());
  }

  @Test
  void plaintextOnlyWithTheLoudOptOut() {
    try (IamLettuce local =
        IamLettuce.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(aws)
            .scheduler(scheduler)
            .allowPlaintextForLocalTesting()
            .build()) {
      assertThat(local.plaintextAllowed()).isTrue();
      assertThat(local.redisUri("localhost", 6379).isSsl()).isFalse();
      assertThat(local.redisUri(RedisURI.create("redis://localhost:6379")).isSsl()).isFalse();
      assertThat(local.toString()).contains("PLAINTEXT ALLOWED");
    }
    assertThat(iam.plaintextAllowed()).isFalse();
  }

  @Test
  void clientOptionsReauthenticateOnNewCredentialsOverResp3() {
    ClientOptions options = iam.clientOptions();
    assertThat(options.getReauthenticateBehaviour())
        .isEqualTo(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS);
    assertThat(options.getConfiguredProtocolVersion()).isEqualTo(ProtocolVersion.RESP3);

    ClusterClientOptions cluster = iam.clusterClientOptions();
    assertThat(cluster.getReauthenticateBehaviour())
        .isEqualTo(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS);
    assertThat(cluster.getConfiguredProtocolVersion()).isEqualTo(ProtocolVersion.RESP3);
  }

  @Test
  void configureKeepsTheAppsOwnOptions() {
    ClientOptions options =
        iam.configure(
                ClientOptions.builder().autoReconnect(false).pingBeforeActivateConnection(false))
            .build();

    assertThat(options.isAutoReconnect()).isFalse();
    assertThat(options.getReauthenticateBehaviour())
        .isEqualTo(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS);

    ClusterClientOptions cluster =
        iam.configure(ClusterClientOptions.builder().maxRedirects(7)).build();
    assertThat(cluster.getMaxRedirects()).isEqualTo(7);
    assertThat(cluster.getConfiguredProtocolVersion()).isEqualTo(ProtocolVersion.RESP3);
  }

  @Test
  void aTrustStoreBecomesTheClientsSslOptions() throws Exception {
    KeyStore empty = KeyStore.getInstance(KeyStore.getDefaultType());
    empty.load(null, null);
    try (IamLettuce trusting =
        IamLettuce.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(aws)
            .scheduler(scheduler)
            .trustStore(empty)
            .build()) {
      assertThat(trusting.clientOptions().getSslOptions())
          .isNotSameAs(ClientOptions.create().getSslOptions())
          .isNotSameAs(iam.clientOptions().getSslOptions());
      SslOptions given = SslOptions.builder().jdkSslProvider().build();
      try (IamLettuce withOptions =
          IamLettuce.builder()
              .target(IamTarget.elastiCache("orders", "app"))
              .region("us-east-1")
              .credentialsProvider(aws)
              .scheduler(scheduler)
              .sslOptions(given)
              .build()) {
        assertThat(withOptions.clusterClientOptions().getSslOptions()).isSameAs(given);
      }
    }
  }

  @Test
  void everyConfigurationProblemIsReportedTogether() throws Exception {
    KeyStore empty = KeyStore.getInstance(KeyStore.getDefaultType());
    empty.load(null, null);

    assertThatThrownBy(
            () ->
                IamLettuce.builder()
                    .trustStore(empty)
                    .sslOptions(SslOptions.create())
                    .firstTokenTimeout(Duration.ZERO)
                    .build())
        .isInstanceOfSatisfying(
            IamConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("trustStore:"))
                    .anySatisfy(p -> assertThat(p).startsWith("firstTokenTimeout:"))
                    .anySatisfy(p -> assertThat(p).contains("target")));
  }

  @Test
  void aReadyTokenProviderIsUsedButNotClosed() {
    IamTokenProvider shared =
        IamTokenProvider.builder()
            .target(IamTarget.memoryDb("orders", "app"))
            .region("eu-west-1")
            .credentialsProvider(aws)
            .clock(clock)
            .scheduler(scheduler)
            .build();
    IamLettuce lettuce = IamLettuce.builder().tokenProvider(shared).scheduler(scheduler).build();
    assertThat(lettuce.tokenProvider()).isSameAs(shared);
    scheduler.runPending();
    lettuce.close();
    assertThat(shared.token().userName()).isEqualTo("app");
    shared.close();

    assertThatThrownBy(
            () ->
                IamLettuce.builder()
                    .tokenProvider(shared)
                    .target(IamTarget.elastiCache("orders", "app"))
                    .build())
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("tokenProvider");
  }

  @Test
  void theClientHelpersApplyTheOptionsWithoutConnecting() {
    RedisClient client = iam.redisClient("localhost", 6380);
    RedisClusterClient cluster = iam.clusterClient("localhost", 7000);
    try {
      assertThat(client.getOptions().getReauthenticateBehaviour())
          .isEqualTo(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS);
      assertThat(cluster.getOptions().getConfiguredProtocolVersion())
          .isEqualTo(ProtocolVersion.RESP3);
      assertThat(cluster.getOptions()).isInstanceOf(ClusterClientOptions.class);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    assertThatThrownBy(() -> iam.clusterClient(List.of()))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("seeds");
  }

  @Test
  void lettucesReauthenticationEventsReachTheListeners() throws Exception {
    ClientResources resources = DefaultClientResources.create();
    AutoCloseable reporting = iam.reportReauthentications(RedisClient.create(resources));
    try {
      resources.eventBus().publish(new ReauthenticationEvent("0x1"));
      resources
          .eventBus()
          .publish(new ReauthenticationFailedEvent("0x2", new IllegalStateException("WRONGPASS")));

      Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(events)
                      .anySatisfy(
                          e ->
                              assertThat(e)
                                  .isInstanceOfSatisfying(
                                      IamAuthEvent.ConnectionReauthenticated.class,
                                      r -> assertThat(r.connection()).contains("0x1")))
                      .anySatisfy(
                          e ->
                              assertThat(e)
                                  .isInstanceOfSatisfying(
                                      IamAuthEvent.ReauthenticationFailed.class,
                                      f -> {
                                        assertThat(f.connection()).contains("0x2");
                                        assertThat(f.cause()).hasMessage("WRONGPASS");
                                      })));
    } finally {
      reporting.close();
      resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void onlyLettucesOwnClusterConnectionsCanBeKeptReauthenticated() {
    StatefulRedisClusterConnection<?, ?> foreign =
        (StatefulRedisClusterConnection<?, ?>)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {StatefulRedisClusterConnection.class},
                (proxy, method, args) -> null);

    assertThatThrownBy(() -> iam.reauthenticate(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RedisClusterClient.connect()");
  }

  @Test
  void toStringNamesTheTargetAndPolicyOnly() {
    scheduler.runPending();
    String token = iam.tokenProvider().token().value();
    assertThat(iam.toString())
        .contains("orders")
        .contains("reauthenticate every")
        .doesNotContain(token)
        .doesNotContain(FakeCredentials.SECRET);
  }
}
