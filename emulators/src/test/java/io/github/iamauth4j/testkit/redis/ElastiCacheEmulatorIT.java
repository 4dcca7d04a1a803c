package io.github.iamauth4j.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.redis.RawClient.Err;
import io.github.iamauth4j.testkit.redis.RawClient.Push;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ElastiCache/MemoryDB emulator in front of a real redis-server, judged by Debian's {@code
 * redis-cli --tls} as an independent client (and a raw TLS socket where redis-cli cannot show the
 * point: pipelining, pushes).
 */
class ElastiCacheEmulatorIT {
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "admin-pw";
  private static final TrustedCredentials CREDENTIALS = TrustedCredentials.example();
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static RedisServer redis;

  private MutableClock clock;
  private ElastiCacheEmulator cache;

  @BeforeAll
  static void startRedis() {
    redis =
        RedisServer.builder()
            .config("user " + ADMIN + " on >" + ADMIN_PASSWORD + " ~* &* +@all")
            .auth(ADMIN, ADMIN_PASSWORD)
            .start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void startEmulator() {
    clock = MutableClock.startingNow();
    cache = emulator(IamTarget.Kind.ELASTICACHE, "orders");
  }

  @AfterEach
  void stopEmulator() {
    cache.close();
  }

  private ElastiCacheEmulator emulator(IamTarget.Kind kind, String name) {
    return ElastiCacheEmulator.builder()
        .backend(redis.host(), redis.port())
        .backendAdmin(ADMIN, ADMIN_PASSWORD)
        .kind(kind)
        .cacheName(name)
        .region("us-east-1")
        .trust(CREDENTIALS)
        .clock(clock)
        .connectionLimit(LIMIT)
        .start();
  }

  private String token(IamTarget target) {
    return token(target, "us-east-1", CREDENTIALS, clock.instant());
  }

  private String token(
      IamTarget target, String region, TrustedCredentials credentials, Instant signedAt) {
    return IamTokenGenerator.builder()
        .target(target)
        .region(region)
        .credentialsProvider(credentials.asProvider())
        .clock(clock)
        .build()
        .generate(signedAt)
        .value();
  }

  private String appToken() {
    return token(IamTarget.elastiCache("orders", "app"));
  }

  private static RedisCli.Result cli(
      ElastiCacheEmulator emulator, String user, String token, String stdin) {
    List<String> args = RedisCli.tlsArgs(emulator);
    args.addAll(List.of("--user", user));
    return RedisCli.run(args, token, stdin);
  }

  @Test
  void aValidTokenAuthenticatesAsTheIamUser() {
    RedisCli.Result r =
        cli(cache, "app", appToken(), "ACL WHOAMI\nSET greeting hello\nCLIENT INFO\n");

    assertThat(r.err()).doesNotContain("AUTH failed");
    assertThat(r.lines().get(0)).isEqualTo("app");
    assertThat(r.lines().get(1)).isEqualTo("OK");
    assertThat(r.lines().get(2)).contains("user=app");
    assertThat(redis.command("GET", "greeting")).isEqualTo("hello");
    assertThat(cache.stats().authenticationsAccepted()).isEqualTo(1);
    assertThat(cache.stats().authenticationsRejected()).isZero();
  }

  @Test
  void theBackendListsTheIamUserAmongItsClients() {
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("AUTH", "app", appToken())).isEqualTo("OK");
      assertThat(String.valueOf(redis.command("CLIENT", "LIST"))).contains("user=app");
    }
  }

  @Test
  void beforeAuthenticationTheBackendAnswersNoauth() {
    RedisCli.Result r = RedisCli.run(RedisCli.tlsArgs(cache), null, "PING\nGET greeting\n");

    assertThat(r.lines().get(0)).startsWith("NOAUTH");
    assertThat(r.out()).doesNotContain("PONG");
  }

  @Test
  void aPlaintextClientIsRefusedAndNothingIsCounted() {
    List<String> args =
        List.of(RedisCli.binary(), "-h", cache.host(), "-p", String.valueOf(cache.port()), "PING");

    RedisCli.Result r = RedisCli.run(args, null, "");

    assertThat(r.out()).doesNotContain("PONG");
    assertThat(r.out() + r.err()).containsIgnoringCase("error");
    assertThat(cache.stats().authenticationsAccepted()).isZero();
    assertThat(cache.stats().authenticationsRejected()).isZero();
  }

  static Stream<Arguments> invalidTokens() {
    TrustedCredentials stranger = TrustedCredentials.of("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF");
    TrustedCredentials wrongSecret =
        TrustedCredentials.of(CREDENTIALS.accessKeyId(), "not-the-trusted-secret");
    IamTarget app = IamTarget.elastiCache("orders", "app");
    return Stream.of(
        invalid(
            "expired",
            "app",
            t -> t.token(app, "us-east-1", CREDENTIALS, t.ago(20)),
            Rejection.EXPIRED),
        invalid(
            "signed in the future",
            "app",
            t -> t.token(app, "us-east-1", CREDENTIALS, t.ago(-10)),
            Rejection.NOT_YET_VALID),
        invalid(
            "memorydb token to an elasticache cache",
            "app",
            t -> t.token(IamTarget.memoryDb("orders", "app")),
            Rejection.WRONG_SERVICE),
        invalid(
            "wrong region",
            "app",
            t -> t.token(app, "eu-west-1", CREDENTIALS, t.ago(0)),
            Rejection.WRONG_REGION),
        invalid(
            "wrong cache",
            "app",
            t -> t.token(IamTarget.elastiCache("invoices", "app")),
            Rejection.WRONG_HOST),
        invalid("token of another user", "bob", t -> t.token(app), Rejection.WRONG_USER),
        invalid(
            "serverless token to a replication group",
            "app",
            t -> t.token(IamTarget.elastiCacheServerless("orders", "app")),
            Rejection.RESOURCE_TYPE_MISMATCH),
        invalid(
            "untrusted access key",
            "app",
            t -> t.token(app, "us-east-1", stranger, t.ago(0)),
            Rejection.UNKNOWN_ACCESS_KEY),
        invalid(
            "bad signature",
            "app",
            t -> t.token(app, "us-east-1", wrongSecret, t.ago(0)),
            Rejection.BAD_SIGNATURE),
        invalid("not a token", "app", t -> "hunter2", Rejection.MALFORMED));
  }

  private static Arguments invalid(
      String name, String user, Function<ElastiCacheEmulatorIT, String> token, Rejection reason) {
    return Arguments.of(name, user, token, reason);
  }

  private Instant ago(int minutes) {
    return clock.instant().minus(Duration.ofMinutes(minutes));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTokens")
  void anInvalidTokenGetsTheBackendsWrongpass(
      String name, String user, Function<ElastiCacheEmulatorIT, String> token, Rejection reason) {
    String value = token.apply(this);

    RedisCli.Result r = cli(cache, user, value, "ACL WHOAMI\n");

    assertThat(r.err()).contains("AUTH failed: WRONGPASS");
    assertThat(r.lines().get(0)).startsWith("NOAUTH");
    assertThat(cache.stats().rejectionsByReason()).isEqualTo(Map.of(reason, 1L));
    assertThat(cache.stats().authenticationsAccepted()).isZero();
  }

  @Test
  void aReplicationGroupTokenIsRejectedByAServerlessCacheAndViceVersa() {
    try (ElastiCacheEmulator serverless =
        emulator(IamTarget.Kind.ELASTICACHE_SERVERLESS, "orders")) {
      RedisCli.Result wrong = cli(serverless, "app", appToken(), "ACL WHOAMI\n");
      RedisCli.Result right =
          cli(
              serverless,
              "app",
              token(IamTarget.elastiCacheServerless("orders", "app")),
              "ACL WHOAMI\n");

      assertThat(wrong.err()).contains("WRONGPASS");
      assertThat(serverless.stats().rejected(Rejection.RESOURCE_TYPE_MISMATCH)).isEqualTo(1);
      assertThat(right.lines().get(0)).isEqualTo("app");
      assertThat(serverless.stats().authenticationsAccepted()).isEqualTo(1);
    }
  }

  @Test
  void memoryDbAcceptsItsOwnTokensOnly() {
    try (ElastiCacheEmulator memorydb = emulator(IamTarget.Kind.MEMORYDB, "sessions")) {
      RedisCli.Result right =
          cli(memorydb, "app", token(IamTarget.memoryDb("sessions", "app")), "ACL WHOAMI\n");
      RedisCli.Result wrong =
          cli(memorydb, "app", token(IamTarget.elastiCache("sessions", "app")), "ACL WHOAMI\n");

      assertThat(right.lines().get(0)).isEqualTo("app");
      assertThat(wrong.err()).contains("WRONGPASS");
      assertThat(memorydb.stats().rejected(Rejection.WRONG_SERVICE)).isEqualTo(1);
    }
  }

  @Test
  void authWithATokenButNoUserIsRejected() {
    RedisCli.Result r =
        RedisCli.run(RedisCli.tlsArgs(cache), null, "AUTH " + appToken() + "\nACL WHOAMI\n");

    assertThat(r.lines().get(0)).startsWith("WRONGPASS");
    assertThat(r.out()).contains("NOAUTH");
    assertThat(cache.stats().rejected(Rejection.WRONG_USER)).isEqualTo(1);
  }

  @Test
  void authInsideMultiIsRefusedInOrderAndExecAborts() {
    RedisCli.Result r =
        cli(
            cache,
            "app",
            appToken(),
            "MULTI\nAUTH app " + appToken() + "\nSET in-multi yes\nEXEC\nEXISTS in-multi\n");

    List<String> lines = r.lines().stream().filter(l -> !l.isEmpty()).toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo("OK");
    assertThat(lines.get(1)).startsWith("ERR unknown command").contains(RedisRelay.AUTH_IN_MULTI);
    assertThat(lines.get(2)).isEqualTo("QUEUED");
    assertThat(lines.get(3)).startsWith("EXECABORT");
    assertThat(lines.get(4)).isEqualTo("0");
    assertThat(cache.stats().authenticationsRejectedInMulti()).isEqualTo(1);
    assertThat(cache.stats().authenticationsAccepted()).isEqualTo(1);
  }

  @Test
  void hello3WithAuthIsAccepted() {
    RedisCli.Result r =
        RedisCli.run(
            RedisCli.tlsArgs(cache),
            null,
            "HELLO 3 AUTH app " + appToken() + " SETNAME probe\nACL WHOAMI\nCLIENT GETNAME\n");

    List<String> lines = r.lines().stream().filter(l -> !l.isEmpty()).toList();
    assertThat(lines).contains("proto 3");
    assertThat(lines.subList(lines.size() - 2, lines.size())).containsExactly("app", "probe");
    assertThat(cache.stats().authenticationsAccepted()).isEqualTo(1);
  }

  @Test
  void pipelinedCommandsGetTheirRepliesInOrderAroundARejectedAuth() {
    String good = appToken();
    String expired =
        token(IamTarget.elastiCache("orders", "app"), "us-east-1", CREDENTIALS, ago(20));
    try (RawClient c = new RawClient(cache)) {
      c.pipeline(
          List.of(
              new String[] {"GET", "k"},
              new String[] {"AUTH", "app", good},
              new String[] {"SET", "k", "1"},
              new String[] {"AUTH", "app", expired},
              new String[] {"INCR", "k"},
              new String[] {"ACL", "WHOAMI"},
              new String[] {"MULTI"},
              new String[] {"HELLO", "3", "AUTH", "app", good},
              new String[] {"EXEC"},
              new String[] {"HELLO", "3", "AUTH", "app", good, "SETNAME", "pipelined"},
              new String[] {"ECHO", "done"}));
      // Inline commands, as telnet users type them.
      c.write(("AUTH app " + good + "\r\nCLIENT GETNAME\r\n").getBytes(StandardCharsets.UTF_8));

      assertThat(c.read())
          .isInstanceOfSatisfying(Err.class, e -> assertThat(e.message()).startsWith("NOAUTH"));
      assertThat(c.read()).isEqualTo("OK");
      assertThat(c.read()).isEqualTo("OK");
      assertThat(c.read())
          .isInstanceOfSatisfying(Err.class, e -> assertThat(e.message()).startsWith("WRONGPASS"));
      assertThat(c.read()).isEqualTo(2L);
      assertThat(c.read()).isEqualTo("app");
      assertThat(c.read()).isEqualTo("OK");
      assertThat(c.read())
          .isInstanceOfSatisfying(
              Err.class, e -> assertThat(e.message()).contains(RedisRelay.AUTH_IN_MULTI));
      assertThat(c.read())
          .isInstanceOfSatisfying(Err.class, e -> assertThat(e.message()).startsWith("EXECABORT"));
      assertThat(c.read())
          .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
          .containsEntry("proto", 3L);
      assertThat(c.read()).isEqualTo("done");
      assertThat(c.read()).isEqualTo("OK");
      assertThat(c.read()).isEqualTo("pipelined");
    }
    assertThat(cache.stats().authenticationsAccepted()).isEqualTo(3);
    assertThat(cache.stats().reauthentications()).isEqualTo(2);
    assertThat(cache.stats().rejected(Rejection.EXPIRED)).isEqualTo(1);
    assertThat(cache.stats().authenticationsRejectedInMulti()).isEqualTo(1);
  }

  @Test
  void pubSubPushesAndBlockingCommandsPassThrough() {
    try (RawClient subscriber = new RawClient(cache);
        RawClient blocked = new RawClient(cache);
        RawClient other = new RawClient(cache)) {
      assertThat(subscriber.call("HELLO", "3", "AUTH", "app", appToken())).isInstanceOf(Map.class);
      assertThat(subscriber.call("SUBSCRIBE", "news"))
          .isEqualTo(new Push(List.of("subscribe", "news", 1L)));
      assertThat(blocked.call("AUTH", "app", appToken())).isEqualTo("OK");
      blocked.write(RawClient.command("BLPOP", "queue", "10"));
      assertThat(other.call("AUTH", "app", appToken())).isEqualTo("OK");

      assertThat(other.call("PUBLISH", "news", "hello")).isEqualTo(1L);
      assertThat(subscriber.read()).isEqualTo(new Push(List.of("message", "news", "hello")));
      // A re-authentication while subscribed (RESP3 allows it), then more messages.
      assertThat(subscriber.call("AUTH", "app", appToken())).isEqualTo("OK");
      assertThat(other.call("PUBLISH", "news", "again")).isEqualTo(1L);
      assertThat(subscriber.read()).isEqualTo(new Push(List.of("message", "news", "again")));

      assertThat(other.call("RPUSH", "queue", "job")).isEqualTo(1L);
      assertThat(blocked.read()).isEqualTo(List.of("queue", "job"));
    }
    assertThat(cache.stats().reauthentications()).isEqualTo(1);
  }

  @Test
  void aLargeValueCrossesTheRelayIntact() {
    String big = "x".repeat(3 * 1024 * 1024 + 7);
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("AUTH", "app", appToken())).isEqualTo("OK");
      assertThat(c.call("SET", "big", big)).isEqualTo("OK");
      assertThat(c.call("GET", "big")).isEqualTo(big);
    }
    assertThat(redis.command("STRLEN", "big")).isEqualTo((long) big.length());
  }

  @Test
  void aResp2SubscriberCannotReauthenticateAndNothingIsCounted() {
    try (RawClient subscriber = new RawClient(cache)) {
      assertThat(subscriber.call("AUTH", "app", appToken())).isEqualTo("OK");
      assertThat(subscriber.call("SUBSCRIBE", "news")).isEqualTo(List.of("subscribe", "news", 1L));

      // As on ElastiCache, the server refuses AUTH in RESP2 subscriber mode: no extension.
      assertThat(subscriber.call("AUTH", "app", appToken()))
          .isInstanceOfSatisfying(
              Err.class, e -> assertThat(e.message()).startsWith("ERR Can't execute 'auth'"));
      assertThat(cache.stats().authenticationsAccepted()).isEqualTo(1);

      assertThat(subscriber.call("UNSUBSCRIBE")).isEqualTo(List.of("unsubscribe", "news", 0L));
      assertThat(subscriber.call("AUTH", "app", appToken())).isEqualTo("OK");
    }
    assertThat(cache.stats().reauthentications()).isEqualTo(1);
    assertThat(cache.stats().authenticationsRejected()).isZero();
  }

  @Test
  void aReauthenticationExtendsTheConnectionLimitAndOtherwiseTheConnectionIsClosed() {
    List<String> args = RedisCli.tlsArgs(cache);
    try (RedisCli.Session renewing = new RedisCli.Session(args, Map.of());
        RedisCli.Session idle = new RedisCli.Session(args, Map.of())) {
      assertThat(renewing.send("AUTH app " + appToken())).isEqualTo("OK");
      assertThat(idle.send("AUTH app " + appToken())).isEqualTo("OK");

      clock.advance(LIMIT.multipliedBy(6).dividedBy(10));
      assertThat(renewing.send("AUTH app " + appToken())).isEqualTo("OK");
      assertThat(cache.stats().connectionsClosedAtLimit()).isZero();

      clock.advance(LIMIT.multipliedBy(6).dividedBy(10));
      await().atMost(WAIT).until(() -> cache.stats().connectionsClosedAtLimit() == 1);
      assertThat(idle.sendExpectingError("PING")).contains("Server closed the connection");
      assertThat(renewing.send("ACL WHOAMI")).isEqualTo("app");

      clock.advance(LIMIT.multipliedBy(6).dividedBy(10));
      await().atMost(WAIT).until(() -> cache.stats().connectionsClosedAtLimit() == 2);
      assertThat(renewing.sendExpectingError("PING")).contains("Server closed the connection");
    }
    assertThat(cache.stats().reauthentications()).isEqualTo(1);
    assertThat(cache.stats().authenticationsAccepted()).isEqualTo(3);
  }

  @Test
  void aCommandArrivingAfterTheLimitIsNotServed() {
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("AUTH", "app", appToken())).isEqualTo("OK");
      assertThat(c.call("SET", "late", "no")).isEqualTo("OK");
      // Move the clock and send at once: the relay checks the limit before forwarding.
      clock.advance(LIMIT);
      try {
        c.write(RawClient.command("DEL", "late"));
      } catch (UncheckedIOException e) {
        // The limit watcher was faster than the write: closed either way.
      }

      assertThat(c.isClosedByServer()).isTrue();
    }
    assertThat(redis.command("GET", "late")).isEqualTo("no");
    assertThat(cache.stats().connectionsClosedAtLimit()).isEqualTo(1);
  }

  @Test
  void droppingAllConnectionsClosesBothSidesAndRefusingLastsItsWindow() {
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("CLIENT", "SETNAME", "to-drop")).isInstanceOf(Err.class);
      assertThat(c.call("AUTH", "app", appToken())).isEqualTo("OK");
      assertThat(c.call("CLIENT", "SETNAME", "to-drop")).isEqualTo("OK");

      cache.dropAllConnections();

      assertThat(c.isClosedByServer()).isTrue();
      await()
          .atMost(WAIT)
          .until(() -> !String.valueOf(redis.command("CLIENT", "LIST")).contains("name=to-drop"));
    }

    cache.refuseNewConnections(Duration.ofMinutes(1));
    assertThatThrownBy(() -> new RawClient(cache).close()).isInstanceOf(RuntimeException.class);
    assertThat(cache.stats().connectionsRefused()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    try (RawClient c = new RawClient(cache)) {
      assertThat(c.call("AUTH", "app", appToken())).isEqualTo("OK");
    }
  }

  @Test
  void theDescriptionTellsHowToConnectWithoutASecret() {
    String d = cache.describe();

    assertThat(d)
        .contains(cache.endpoint())
        .contains(cache.tls().caPemFile().toString())
        .contains("redis-cli --tls --cacert")
        .contains("\"orders\"")
        .contains("us-east-1")
        .doesNotContain(CREDENTIALS.secretAccessKey())
        .doesNotContain(cache.admin().secret());
    assertThat(cache.toString()).contains(cache.endpoint()).doesNotContain(cache.admin().secret());
  }

  @Test
  void aStockServerIsAdministeredThroughAnInternalUserAndLeftAsItWas() {
    try (RedisServer stock = RedisServer.builder().start()) {
      try (ElastiCacheEmulator plain =
          ElastiCacheEmulator.builder()
              .backend(stock.host(), stock.port())
              .cacheName("orders")
              .clock(clock)
              .start()) {
        assertThatThrownBy(() -> stock.commandWithoutAuth("PING")).hasMessageStartingWith("NOAUTH");

        RedisCli.Result r = cli(plain, "app", appToken(), "ACL WHOAMI\n");

        assertThat(r.lines().get(0)).isEqualTo("app");
      }
      assertThat(stock.commandWithoutAuth("PING")).isEqualTo("PONG");
      // The internal administrator is gone; "app" stays, without the emulator's secret.
      assertThat(stock.commandWithoutAuth("ACL", "USERS")).isEqualTo(List.of("app", "default"));
      assertThat(String.valueOf(stock.commandWithoutAuth("ACL", "GETUSER", "app")))
          .contains("passwords, []");
    }
  }

  @Test
  void closingRestoresTheBackendsDefaultUser() {
    cache.close();

    assertThat(redis.commandWithoutAuth("PING")).isEqualTo("PONG");

    cache = emulator(IamTarget.Kind.ELASTICACHE, "orders");
    assertThatThrownBy(() -> redis.commandWithoutAuth("PING")).hasMessageStartingWith("NOAUTH");
  }
}
