package io.github.iamauth4j.testkit.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RenewalPolicy;
import io.github.iamauth4j.testkit.redis.ElastiCacheClusterEmulator;
import io.github.iamauth4j.testkit.redis.ElastiCacheEmulator;
import io.github.iamauth4j.testkit.server.RedisCluster;
import io.github.iamauth4j.testkit.server.RedisServer;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The Redis adapter compatibility kit: the behaviour every iamauth4j Redis adapter must show,
 * proven the same way for each against the {@linkplain ElastiCacheEmulator ElastiCache emulator} in
 * front of a real Redis (standalone, or a three-master cluster), with the emulator's connection
 * limit compressed to {@value #CONNECTION_LIMIT_SECONDS} seconds and tokens that live {@value
 * #TOKEN_EXPIRY_SECONDS} seconds, so that renewals happen within a few seconds.
 *
 * <p>An adapter's integration test extends it with a few lines:
 *
 * <pre>{@code
 * class LettuceStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
 *   LettuceStandaloneCompatibilityIT() {
 *     super(Topology.STANDALONE);
 *   }
 *
 *   @Override
 *   protected RedisClientUnderTest connect(ClientSettings settings) {
 *     return new LettuceClientUnderTest(settings);   // the adapter's client, set up as an app would
 *   }
 *
 *   @Override
 *   protected Class<? extends Throwable> authenticationFailure() {
 *     return RedisConnectionException.class;         // what the client throws on WRONGPASS
 *   }
 * }
 * }</pre>
 *
 * <p>What it proves, in each topology:
 *
 * <ul>
 *   <li>the client authenticates with IAM tokens and {@code ACL WHOAMI} is the IAM user;
 *   <li>TLS is on by default (a TLS handshake is the first thing the client sends), and a plaintext
 *       request is refused with a typed error before anything is sent, unless explicitly allowed;
 *   <li>a wrong token gives the declared error type, with {@code WRONGPASS} and without the token,
 *       and the client does not retry in a loop;
 *   <li>continuous load (key/value, {@code MULTI}/{@code EXEC}, pub/sub) across more than three
 *       connection limits: no failed command, every message received, no connection closed at the
 *       limit, and re-authentications on every node (or, for adapters that {@linkplain
 *       Renewal#RETIRE retire} connections, new connections instead);
 *   <li>no {@code AUTH} lands inside {@code MULTI}, even when a renewal falls due inside one;
 *   <li>after all connections are dropped (and new ones refused for a while) the client recovers
 *       with valid tokens and no {@code WRONGPASS} loop;
 *   <li>a credential outage shorter than the token's life causes no failure, even for a connection
 *       opened during the outage.
 * </ul>
 *
 * <p>Needs a local {@code redis-server} 7.0 or later (see {@link RedisServer} and {@link
 * RedisCluster}). One emulator serves all the tests of a class; each test gets fresh {@link
 * #settings()}, and what it opened through {@link #open(ClientSettings)} is closed after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RedisAdapterCompatibilityKit {
  /** The IAM user the kit connects as. */
  public static final String USER = "app";

  /** The emulated cache (replication group) name. */
  public static final String CACHE = "orders";

  /** The emulated region. */
  public static final String REGION = "us-east-1";

  static final int CONNECTION_LIMIT_SECONDS = 3;
  static final int TOKEN_EXPIRY_SECONDS = 12;

  /** The emulator's connection limit: 12 hours on AWS, compressed here. */
  public static final Duration CONNECTION_LIMIT = Duration.ofSeconds(CONNECTION_LIMIT_SECONDS);

  /** The signed expiry of the kit's tokens: 15 minutes on AWS, compressed here. */
  public static final Duration TOKEN_EXPIRY = Duration.ofSeconds(TOKEN_EXPIRY_SECONDS);

  /**
   * The renewal policy the kit gives adapters: re-authenticate every second (less up to 300 ms), or
   * retire connections at 2 seconds (less up to 500 ms), under the 3-second limit.
   */
  public static final RenewalPolicy RENEWAL_POLICY =
      RenewalPolicy.builder()
          .connectionLimit(CONNECTION_LIMIT)
          .reauthenticationInterval(Duration.ofSeconds(1))
          .reauthenticationJitter(Duration.ofMillis(300))
          .maxConnectionAge(Duration.ofSeconds(2))
          .maxConnectionAgeJitter(Duration.ofMillis(500))
          .build();

  /** How long the load runs: three and a half connection limits. */
  static final Duration LOAD_DURATION = CONNECTION_LIMIT.multipliedBy(7).dividedBy(2);

  private static final Logger LOG = LoggerFactory.getLogger(RedisAdapterCompatibilityKit.class);
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String ADMIN = "kit-admin";
  private static final String WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYNOTTHEKEY";

  private final Topology topology;
  private final String adminPassword = UUID.randomUUID().toString();
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  private @Nullable RedisServer redis;
  private @Nullable RedisCluster redisCluster;
  private @Nullable ElastiCacheEmulator emulator;
  private @Nullable ElastiCacheClusterEmulator clusterEmulator;
  private @Nullable SwitchableCredentials credentials;
  private @Nullable ClientSettings settings;

  /**
   * @param topology standalone or cluster
   */
  protected RedisAdapterCompatibilityKit(Topology topology) {
    this.topology = topology;
  }

  // ---------------------------------------------------------------------------------------------
  // What the adapter supplies.

  /**
   * Sets up a client through the adapter under test, as an app would, and connects it (eagerly:
   * errors surface here). When it fails, it releases whatever it created and throws what the client
   * threw.
   *
   * @param settings where and how to connect
   * @return the connected client; the kit closes it
   * @throws Exception whatever the client throws when it cannot connect
   */
  protected abstract RedisClientUnderTest connect(ClientSettings settings) throws Exception;

  /**
   * The exception type the client throws when the server rejects its token ({@code WRONGPASS}),
   * found in the thrown exception or its causes.
   */
  protected abstract Class<? extends Throwable> authenticationFailure();

  /**
   * The exception type the adapter throws when plaintext is requested without the explicit opt-out.
   * Default {@link IamConfigurationException}.
   */
  protected Class<? extends Throwable> plaintextRefusal() {
    return IamConfigurationException.class;
  }

  /** How the adapter keeps connections under the limit. Default {@link Renewal#REAUTHENTICATE}. */
  protected Renewal renewal() {
    return Renewal.REAUTHENTICATE;
  }

  // ---------------------------------------------------------------------------------------------
  // What the kit gives subclasses for their own tests.

  /** The topology of this test class. */
  protected final Topology topology() {
    return topology;
  }

  /** This test's settings: the emulator's endpoint and TLS, a token provider, the policy. */
  protected final ClientSettings settings() {
    return requireNonNull(settings, "settings (only inside a test)");
  }

  /** The emulator's counters now, summed over the nodes in cluster mode. */
  protected final EmulatorCounters counters() {
    if (clusterEmulator != null) {
      return EmulatorCounters.of(clusterEmulator.stats());
    }
    return EmulatorCounters.of(requireNonNull(emulator, "emulator").stats());
  }

  /** The counters of each node (one element in standalone mode). */
  protected final List<EmulatorCounters> countersPerNode() {
    if (clusterEmulator != null) {
      List<EmulatorCounters> nodes = new ArrayList<>();
      clusterEmulator.stats().perNode().forEach(s -> nodes.add(EmulatorCounters.of(s)));
      return nodes;
    }
    return List.of(counters());
  }

  /** Token and connection events of this test's token providers, in order. */
  protected final List<IamAuthEvent> events() {
    return Collections.unmodifiableList(events);
  }

  /** Closes every client connection of the emulator (all nodes) now. */
  protected final void dropAllConnections() {
    if (clusterEmulator != null) {
      clusterEmulator.dropAllConnections();
    } else {
      requireNonNull(emulator, "emulator").dropAllConnections();
    }
  }

  /**
   * Closes new connections at once for {@code duration}.
   *
   * @param duration how long
   */
  protected final void refuseNewConnections(Duration duration) {
    if (clusterEmulator != null) {
      clusterEmulator.refuseNewConnections(duration);
    } else {
      requireNonNull(emulator, "emulator").refuseNewConnections(duration);
    }
  }

  /** The backend Redis Cluster (cluster mode only), e.g. to move a slot and cause a MOVED. */
  protected final RedisCluster backendCluster() {
    return requireNonNull(redisCluster, "backend cluster (cluster mode only)");
  }

  /** The cluster emulator (cluster mode only). */
  protected final ElastiCacheClusterEmulator clusterEmulator() {
    return requireNonNull(clusterEmulator, "cluster emulator (cluster mode only)");
  }

  /**
   * Connects through {@link #connect(ClientSettings)} and closes the client after the test.
   *
   * @param s the settings
   * @return the client
   * @throws Exception what connecting threw
   */
  protected final RedisClientUnderTest open(ClientSettings s) throws Exception {
    RedisClientUnderTest client = connect(s);
    closeAfterTest(client);
    return client;
  }

  /**
   * Closes {@code resource} after the test, before the token providers.
   *
   * @param resource the resource
   */
  protected final void closeAfterTest(AutoCloseable resource) {
    synchronized (opened) {
      opened.push(resource);
    }
  }

  /**
   * A token provider configuration like the one in {@link #settings()}, signing with {@code aws};
   * the events of providers built from it go to {@link #events()}.
   *
   * @param aws the AWS credentials
   */
  protected final IamAuthConfig config(AwsCredentialsProvider aws) {
    return config(target(), aws);
  }

  private IamAuthConfig config(IamTarget target, AwsCredentialsProvider aws) {
    return IamAuthConfig.builder()
        .target(target)
        .region(REGION)
        .credentialsProvider(aws)
        .expiry(TOKEN_EXPIRY)
        .refreshBeforeExpiry(TOKEN_EXPIRY.dividedBy(2))
        .safetyMargin(Duration.ofSeconds(2))
        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .listener(events::add)
        .build();
  }

  /**
   * A token provider like the one in {@link #settings()}, signing with {@code aws}, closed after
   * the test; its events go to {@link #events()}.
   *
   * @param aws the AWS credentials
   */
  protected final IamTokenProvider tokenProvider(AwsCredentialsProvider aws) {
    return provider(config(aws));
  }

  private IamTokenProvider provider(IamAuthConfig config) {
    IamTokenProvider p = IamTokenProvider.create(config);
    synchronized (opened) {
      // Clients are pushed at the head and closed first; providers wait at the tail.
      opened.addLast(p);
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle.

  @BeforeAll
  final void startEmulator() {
    String adminUser = "user " + ADMIN + " on >" + adminPassword + " ~* &* +@all";
    if (topology == Topology.CLUSTER) {
      RedisCluster cluster =
          RedisCluster.builder().masters(3).config(adminUser).auth(ADMIN, adminPassword).start();
      redisCluster = cluster;
      RedisCluster.Node seed = cluster.node(0);
      clusterEmulator =
          ElastiCacheClusterEmulator.builder()
              .backendNode(seed.host(), seed.port())
              .backendAdmin(ADMIN, adminPassword)
              .cacheName(CACHE)
              .region(REGION)
              .trust(TrustedCredentials.example())
              .connectionLimit(CONNECTION_LIMIT)
              .start();
    } else {
      RedisServer server =
          RedisServer.builder().config(adminUser).auth(ADMIN, adminPassword).start();
      redis = server;
      emulator =
          ElastiCacheEmulator.builder()
              .backend(server.host(), server.port())
              .backendAdmin(ADMIN, adminPassword)
              .cacheName(CACHE)
              .region(REGION)
              .trust(TrustedCredentials.example())
              .connectionLimit(CONNECTION_LIMIT)
              .start();
    }
  }

  @AfterAll
  final void stopEmulator() {
    if (clusterEmulator != null) {
      clusterEmulator.close();
    }
    if (emulator != null) {
      emulator.close();
    }
    if (redisCluster != null) {
      redisCluster.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  final void newSettings() {
    events.clear();
    SwitchableCredentials aws =
        new SwitchableCredentials(TrustedCredentials.example().asProvider());
    credentials = aws;
    String host;
    int port;
    TlsMaterial tls;
    if (clusterEmulator != null) {
      host = clusterEmulator.host();
      port = clusterEmulator.port();
      tls = clusterEmulator.tls();
    } else {
      ElastiCacheEmulator e = requireNonNull(emulator, "emulator");
      host = e.host();
      port = e.port();
      tls = e.tls();
    }
    settings =
        new ClientSettings(
            topology,
            host,
            port,
            tls,
            target(),
            REGION,
            aws,
            config(aws),
            tokenProvider(aws),
            RENEWAL_POLICY,
            CONNECTION_LIMIT,
            false,
            false);
  }

  @AfterEach
  final void closeWhatTheTestOpened() throws Exception {
    Exception first = null;
    while (true) {
      AutoCloseable next;
      synchronized (opened) {
        next = opened.pollFirst();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (clusterEmulator != null) {
      clusterEmulator.acceptNewConnections();
    } else if (emulator != null) {
      emulator.acceptNewConnections();
    }
    if (first != null) {
      throw first;
    }
  }

  private static IamTarget target() {
    return IamTarget.elastiCache(CACHE, USER);
  }

  // ---------------------------------------------------------------------------------------------
  // The tests.

  @Test
  void authenticatesWithIamTokensAsTheIamUser() throws Exception {
    EmulatorCounters before = counters();
    RedisClientUnderTest client = open(settings());

    assertThat(client.whoAmI()).as("ACL WHOAMI").isEqualTo(USER);
    client.set("kit:hello", "world");
    assertThat(client.get("kit:hello")).isEqualTo("world");

    EmulatorCounters d = counters().minus(before);
    assertThat(d.authenticationsAccepted()).as("authentications accepted").isPositive();
    assertThat(d.authenticationsRejected()).as("authentications rejected").isZero();
  }

  @Test
  void usesTlsByDefault() throws Exception {
    try (PlaintextListener listener = new PlaintextListener()) {
      Throwable thrown =
          catchThrowable(() -> open(settings().withEndpoint(listener.host(), listener.port())));

      Await.until(
          "the client has sent its first bytes to a plain TCP listener",
          PATIENCE,
          () -> listener.firstBytes().length > 0);
      assertThat(listener.firstBytes()[0] & 0xff)
          .as("the first byte the client sent (0x16 opens a TLS handshake)")
          .isEqualTo(PlaintextListener.TLS_HANDSHAKE);
      assertThat(thrown).as("connecting to a listener that hangs up").isNotNull();
    }
  }

  @Test
  void refusesPlaintextUnlessExplicitlyAllowed() throws Exception {
    try (PlaintextListener listener = new PlaintextListener()) {
      ClientSettings plaintext =
          settings().withEndpoint(listener.host(), listener.port()).withPlaintext(true, false);

      Throwable refused = catchThrowable(() -> open(plaintext));

      assertThat(refused).as("asking for plaintext without the opt-out").isNotNull();
      assertThat(chain(refused))
          .as("the exception and its causes: " + text(refused))
          .hasAtLeastOneElementOfType(plaintextRefusal());
      assertThat(messages(refused).toLowerCase(Locale.ROOT))
          .as("what the refusal says")
          .containsAnyOf("tls", "plaintext");
      // Refused before connecting: nothing reaches the listener, even a moment later.
      Await.during(Duration.ofMillis(300), () -> listener.connections() > 0);
      assertThat(listener.connections()).as("connections made despite the refusal").isZero();

      catchThrowable(() -> open(plaintext.withPlaintext(true, true)));
      Await.until(
          "the client, allowed plaintext, has sent its first bytes",
          PATIENCE,
          () -> listener.firstBytes().length > 0);
      assertThat((char) listener.firstBytes()[0])
          .as("the first byte sent in plaintext (a RESP array)")
          .isEqualTo('*');
    }
  }

  @Test
  void authenticatesForEveryKindOfTarget() throws Exception {
    // A replication group is the kit's own emulator; ElastiCache Serverless and MemoryDB get an
    // emulator each, in front of the same backend (standalone) or as the whole cluster's kind.
    List<IamTarget.Kind> kinds =
        topology == Topology.CLUSTER
            ? List.of(IamTarget.Kind.ELASTICACHE)
            : List.of(IamTarget.Kind.ELASTICACHE_SERVERLESS, IamTarget.Kind.MEMORYDB);
    if (topology == Topology.CLUSTER) {
      // The cluster's emulator is a replication group in cluster mode; MemoryDB is proven in
      // standalone shape (the same token rules, the memorydb signing name and exact-case names).
      RedisClientUnderTest client = open(settings());
      assertThat(client.whoAmI()).isEqualTo(USER);
      return;
    }
    RedisServer backend = requireNonNull(redis, "redis");
    for (IamTarget.Kind kind : kinds) {
      String name = kind == IamTarget.Kind.MEMORYDB ? "Orders-MemoryDB" : "orders-serverless";
      IamTarget target =
          kind == IamTarget.Kind.MEMORYDB
              ? IamTarget.memoryDb(name, USER)
              : IamTarget.elastiCacheServerless(name, USER);
      try (ElastiCacheEmulator other =
          ElastiCacheEmulator.builder()
              .backend(backend.host(), backend.port())
              .backendAdmin(ADMIN, adminPassword)
              .kind(kind)
              .cacheName(name)
              .region(REGION)
              .trust(TrustedCredentials.example())
              .connectionLimit(CONNECTION_LIMIT)
              .start()) {
        IamAuthConfig c = config(target, settings().awsCredentials());
        ClientSettings s =
            settings().withTarget(other.host(), other.port(), other.tls(), target, c, provider(c));
        RedisClientUnderTest client = connect(s);
        try {
          assertThat(client.whoAmI()).as(kind + ": ACL WHOAMI").isEqualTo(USER);
          client.set("kit:" + kind, "ok");
          assertThat(client.get("kit:" + kind)).isEqualTo("ok");
        } finally {
          client.close();
        }
        assertThat(other.stats().authenticationsAccepted())
            .as(kind + ": tokens accepted by its emulator")
            .isPositive();
        assertThat(other.stats().authenticationsRejected())
            .as(kind + ": tokens rejected by its emulator")
            .isZero();
      }
    }
  }

  @Test
  void aWrongTokenIsATypedErrorWithoutTheTokenAndIsNotRetriedInALoop() throws Exception {
    AwsCredentialsProvider wrong = TrustedCredentials.of(accessKey(), WRONG_SECRET).asProvider();
    IamAuthConfig wrongConfig = config(wrong);
    IamTokenProvider wrongTokens = provider(wrongConfig);
    EmulatorCounters before = counters();
    long badSignatures = rejected(Rejection.BAD_SIGNATURE);

    Throwable thrown =
        catchThrowable(() -> open(settings().withCredentials(wrong, wrongConfig, wrongTokens)));

    assertThat(thrown).as("connecting with a token signed by the wrong secret").isNotNull();
    String text = text(thrown);
    assertThat(chain(thrown))
        .as("the exception and its causes: " + text)
        .hasAtLeastOneElementOfType(authenticationFailure());
    assertThat(text).contains("WRONGPASS");
    assertThat(text)
        .as("the error, with its causes and stack traces")
        .doesNotContain(wrongTokens.token().value())
        .doesNotContain("X-Amz-Signature")
        .doesNotContain("X-Amz-Credential")
        .doesNotContain(WRONG_SECRET)
        .doesNotContain(TrustedCredentials.example().secretAccessKey());
    assertThat(rejected(Rejection.BAD_SIGNATURE) - badSignatures)
        .as("tokens rejected for their signature")
        .isPositive();

    // The client gave up: no further attempts over several renewal intervals.
    EmulatorCounters settled = counters();
    Await.during(Duration.ofMillis(1500), () -> false);
    EmulatorCounters later = counters().minus(settled);
    assertThat(later.authenticationsRejected()).as("rejections after the failure").isZero();
    assertThat(settled.minus(before).authenticationsAccepted()).isZero();
  }

  @Test
  void renewsLiveConnectionsUnderLoadAcrossSeveralConnectionLimits() throws Exception {
    RedisClientUnderTest client = open(settings());
    List<String> received = new CopyOnWriteArrayList<>();
    RedisClientUnderTest.Subscription subscription = client.subscribe(Load.CHANNEL, received::add);
    closeAfterTest(subscription);
    EmulatorCounters before = counters();
    List<EmulatorCounters> nodesBefore = countersPerNode();

    Load load = Load.start(client, 3, true);
    Await.during(LOAD_DURATION, () -> false);
    load.stop();
    List<String> published = load.published();
    // Messages still in flight arrive within moments; a subscriber that lost its connection never
    // gets the rest.
    Await.during(Duration.ofSeconds(5), () -> received.size() >= published.size());

    EmulatorCounters d = counters().minus(before);
    LOG.info(
        "{} under load for {}: {} commands, {} transactions, {}/{} messages, {} failed; {}",
        topology,
        LOAD_DURATION,
        load.commands(),
        load.transactions(),
        received.size(),
        published.size(),
        load.failedCommands(),
        d);
    assertThat(load.failures())
        .as("failed commands (" + load.failedCommands() + " in all) under load")
        .isEmpty();
    assertThat(load.commands()).as("key/value commands").isGreaterThan(100);
    assertThat(load.transactions()).as("transactions").isGreaterThan(10);
    assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
    assertThat(d.authenticationsRejected()).as("authentications rejected").isZero();
    assertThat(d.authenticationsRejectedInMulti()).as("AUTH refused inside MULTI").isZero();
    assertThat(received).as("messages received across renewals").isEqualTo(published);
    if (renewal() == Renewal.REAUTHENTICATE) {
      assertThat(d.reauthentications()).as("re-authentications on live connections").isPositive();
      List<EmulatorCounters> nodesAfter = countersPerNode();
      for (int i = 0; i < nodesAfter.size(); i++) {
        assertThat(nodesAfter.get(i).minus(nodesBefore.get(i)).reauthentications())
            .as("re-authentications on node " + i + " (every node has live connections)")
            .isPositive();
      }
    } else {
      assertThat(d.connectionsOpened())
          .as("connections opened to replace retired ones")
          .isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void neverSendsAuthInsideMulti() throws Exception {
    RedisClientUnderTest client = open(settings());
    client.set("{tx}a", "0");
    EmulatorCounters before = counters();

    RedisClientUnderTest.Transaction tx = client.multi();
    tx.set("{tx}a", "1");
    // Keep the transaction open past a whole re-authentication interval (yet well under the
    // limit): a renewal falls due inside it.
    Duration open = RENEWAL_POLICY.reauthenticationInterval().plus(Duration.ofMillis(200));
    Await.during(open, () -> false);
    tx.set("{tx}b", "2");
    List<String> replies = tx.exec();

    assertThat(replies).as("EXEC").containsExactly("OK", "OK");
    assertThat(client.get("{tx}a")).isEqualTo("1");
    assertThat(counters().minus(before).authenticationsRejectedInMulti())
        .as("AUTH refused inside MULTI")
        .isZero();
    if (renewal() == Renewal.REAUTHENTICATE) {
      Await.until(
          "a re-authentication after EXEC",
          RENEWAL_POLICY.reauthenticationInterval().multipliedBy(5),
          () -> counters().minus(before).reauthentications() > 0);
    }
    assertThat(counters().minus(before).connectionsClosedAtLimit()).isZero();
  }

  @Test
  void recoversWithValidTokensAfterAllConnectionsAreDropped() throws Exception {
    RedisClientUnderTest client = open(settings());
    client.set("kit:drop", "before");
    EmulatorCounters before = counters();

    refuseNewConnections(Duration.ofMillis(500));
    dropAllConnections();
    Await.until(
        "the client answers again after all its connections were dropped",
        PATIENCE,
        () -> succeeds(() -> client.set("kit:drop", "after")));

    assertThat(client.get("kit:drop")).isEqualTo("after");
    assertThat(client.whoAmI()).isEqualTo(USER);
    EmulatorCounters d = counters().minus(before);
    assertThat(d.connectionsOpened()).as("connections opened again").isPositive();
    assertThat(d.authenticationsAccepted()).as("authentications after the drop").isPositive();
    assertThat(d.authenticationsRejected()).as("WRONGPASS after the drop").isZero();

    // Pools reconnect each of their connections on its own timer: wait until the client stops
    // opening connections for a second (a reconnect loop never does, and fails here).
    long[] seen = {-1, System.nanoTime()};
    Await.until(
        "the client stops opening connections after the drop",
        PATIENCE,
        () -> {
          long opened = counters().connectionsOpened();
          long now = System.nanoTime();
          if (opened != seen[0]) {
            seen[0] = opened;
            seen[1] = now;
            return false;
          }
          return now - seen[1] >= Duration.ofSeconds(1).toNanos();
        });

    // Settled: no reconnect or WRONGPASS loop over the next renewal intervals.
    EmulatorCounters settled = counters();
    Await.during(Duration.ofSeconds(2), () -> false);
    client.set("kit:drop", "settled");
    EmulatorCounters later = counters().minus(settled);
    assertThat(later.authenticationsRejected()).as("rejections once recovered").isZero();
    assertThat(later.connectionsClosedAtLimit()).as("closed at the limit once recovered").isZero();
    if (renewal() == Renewal.REAUTHENTICATE) {
      assertThat(later.connectionsOpened()).as("reconnections once recovered").isZero();
    }
  }

  @Test
  void aCredentialOutageShorterThanTheTokensLifeCausesNoFailure() throws Exception {
    SwitchableCredentials aws = requireNonNull(credentials, "credentials");
    RedisClientUnderTest client = open(settings());
    assertThat(client.whoAmI()).isEqualTo(USER);
    IamAuthEvent.TokenIssued fresh = lastTokenIssued();
    EmulatorCounters before = counters();

    // The outage starts right after a token was issued and ends well inside its life.
    aws.down();
    Load load = Load.start(client, 1, false);
    Await.until(
        "refreshing the token has failed twice during the outage",
        PATIENCE,
        () -> count(IamAuthEvent.RefreshFailed.class) >= 2);
    // A connection opened during the outage authenticates with the cached token.
    RedisClientUnderTest during = open(settings());
    assertThat(during.whoAmI()).isEqualTo(USER);
    Instant outageEnd = Instant.now();
    aws.up();
    Await.until(
        "a new token is issued after the outage",
        PATIENCE,
        () -> lastTokenIssued().at().isAfter(fresh.at()));
    load.stop();

    assertThat(outageEnd).as("end of the outage").isBefore(fresh.usableUntil());
    assertThat(aws.failedCalls()).as("calls to the credentials during the outage").isPositive();
    assertThat(events)
        .filteredOn(e -> e instanceof IamAuthEvent.RefreshFailed)
        .allSatisfy(
            e ->
                assertThat(((IamAuthEvent.RefreshFailed) e).stillUsableUntil())
                    .as("a usable token was still served")
                    .isNotNull());
    assertThat(load.failures())
        .as("failed commands (" + load.failedCommands() + ") during the outage")
        .isEmpty();
    assertThat(load.commands()).isPositive();
    EmulatorCounters d = counters().minus(before);
    assertThat(d.authenticationsRejected()).as("authentications rejected").isZero();
    assertThat(d.connectionsClosedAtLimit()).as("connections closed at the limit").isZero();
    if (renewal() == Renewal.REAUTHENTICATE) {
      assertThat(d.reauthentications()).as("re-authentications during the outage").isPositive();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  private IamAuthEvent.TokenIssued lastTokenIssued() {
    IamAuthEvent.TokenIssued last = null;
    for (IamAuthEvent e : events) {
      if (e instanceof IamAuthEvent.TokenIssued t) {
        last = t;
      }
    }
    return requireNonNull(last, "a TokenIssued event");
  }

  private long count(Class<? extends IamAuthEvent> type) {
    return events.stream().filter(type::isInstance).count();
  }

  private long rejected(Rejection reason) {
    if (clusterEmulator != null) {
      return clusterEmulator.stats().rejected(reason);
    }
    return requireNonNull(emulator, "emulator").stats().rejected(reason);
  }

  private static String accessKey() {
    return TrustedCredentials.example().accessKeyId();
  }

  private static boolean succeeds(Runnable action) {
    try {
      action.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The exception, its causes and suppressed exceptions, each once. */
  static List<Throwable> chain(Throwable t) {
    List<Throwable> all = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>();
    todo.add(t);
    while (!todo.isEmpty()) {
      Throwable next = todo.poll();
      if (!seen.add(next)) {
        continue;
      }
      all.add(next);
      if (next.getCause() != null) {
        todo.add(next.getCause());
      }
      Collections.addAll(todo, next.getSuppressed());
    }
    return all;
  }

  /** The messages of the exception, its causes and suppressed exceptions. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable e : chain(t)) {
      b.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage()).append('\n');
    }
    return b.toString();
  }

  /** The exception as a user would see it in a log: stack trace, causes, suppressed. */
  static String text(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static <T> T requireNonNull(@Nullable T value, String what) {
    if (value == null) {
      throw new IllegalStateException("no " + what);
    }
    return value;
  }
}
