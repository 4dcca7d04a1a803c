package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.testkit.compat.ClientSettings;
import io.github.iamauth4j.testkit.compat.EmulatorCounters;
import io.github.iamauth4j.testkit.compat.RedisAdapterCompatibilityKit;
import io.github.iamauth4j.testkit.compat.RedisClientUnderTest;
import io.github.iamauth4j.testkit.compat.Topology;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.support.ConnectionPoolSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The compatibility kit against a replication group (cluster mode off), plus what only Lettuce has:
 * its event loops, its three APIs and its connection pools.
 */
class LettuceStandaloneCompatibilityIT extends RedisAdapterCompatibilityKit {
  LettuceStandaloneCompatibilityIT() {
    super(Topology.STANDALONE);
  }

  @Override
  protected RedisClientUnderTest connect(ClientSettings settings) {
    return LettuceClientUnderTest.connect(settings);
  }

  @Override
  protected Class<? extends Throwable> authenticationFailure() {
    return RedisCommandExecutionException.class;
  }

  /**
   * A credentials source that takes its time (held on a latch) never holds up a Netty event loop:
   * Lettuce asks for credentials on the event loop, and while the fetch is held, the other
   * connections on the same (two) event loops keep answering, re-authentications go on with the
   * cached token, and new connections open. Nothing here is timed: everything happens while the
   * fetch is still held.
   */
  @Test
  void slowCredentialsNeverHoldUpTheEventLoop() throws Exception {
    ClientResources resources =
        DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    closeAfterTest(() -> resources.shutdown(0, 2, TimeUnit.SECONDS));

    // Client A, already connected: four connections spread over both event loops.
    IamLettuce fast = LettuceClientUnderTest.iam(settings());
    RedisClient a =
        fast.redisClient(resources, fast.redisUri(settings().host(), settings().port()));
    closeAfterTest(() -> a.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    List<StatefulRedisConnection<String, String>> aConnections = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      aConnections.add(a.connect());
    }

    // Client B: the AWS credentials its very first token needs are held.
    HeldCredentials aws = new HeldCredentials(TrustedCredentials.example().asProvider());
    aws.hold();
    IamLettuce slow =
        IamLettuce.builder()
            .config(config(aws).toBuilder().firstTokenTimeout(Duration.ofSeconds(30)).build())
            .renewalPolicy(settings().renewalPolicy())
            .trustStore(settings().tls().trustStore())
            .build();
    closeAfterTest(slow);
    List<String> askedOn = new CopyOnWriteArrayList<>();
    RedisCredentialsProvider recording = recordingCallers(slow.credentials(), askedOn);
    RedisURI bUri =
        RedisURI.builder()
            .withHost(settings().host())
            .withPort(settings().port())
            .withSsl(true)
            .withVerifyPeer(SslVerifyMode.FULL)
            .withAuthentication(recording)
            .build();
    RedisClient b = RedisClient.create(resources, bUri);
    b.setOptions(slow.clientOptions());
    closeAfterTest(() -> b.shutdown(Duration.ZERO, Duration.ofSeconds(2)));

    // The app's thread connects B. (Lettuce 7 renders the RedisURI while connecting, which waits
    // for the credentials on the connecting thread; Lettuce 6.6 asks only in the handshake, on the
    // event loop.)
    ExecutorService app = Executors.newSingleThreadExecutor();
    closeAfterTest(app::shutdownNow);
    CompletableFuture<StatefulRedisConnection<String, String>> pending =
        CompletableFuture.supplyAsync(b::connect, app);
    Awaitility.await("B asks for credentials").until(() -> !askedOn.isEmpty());
    Awaitility.await("the first token's fetch is held").until(aws::isHolding);

    // Both event loops still serve client A, and an event loop thread gets B's (pending)
    // credentials back at once, without waiting for them.
    for (StatefulRedisConnection<String, String> c : aConnections) {
      for (int i = 0; i < 10; i++) {
        c.sync().set("el:" + i, "v" + i);
        assertThat(c.sync().get("el:" + i)).isEqualTo("v" + i);
      }
    }
    List<Boolean> doneOnTheLoop = new CopyOnWriteArrayList<>();
    aConnections
        .get(0)
        .async()
        .ping()
        .thenAccept(
            pong -> doneOnTheLoop.add(slow.credentials().resolveCredentials().toFuture().isDone()))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    assertThat(doneOnTheLoop).containsExactly(false);
    assertThat(pending).as("B's connection, waiting for its first token").isNotDone();
    assertThat(aws.isHolding()).as("the fetch is still held").isTrue();

    aws.release();
    StatefulRedisConnection<String, String> bConnection = pending.get(30, TimeUnit.SECONDS);
    assertThat(bConnection.sync().aclWhoami()).isEqualTo(USER);
    assertThat(askedOn)
        .as("threads Lettuce asked for credentials on: the handshake runs on the event loop")
        .anySatisfy(thread -> assertThat(thread).contains("EventLoop"));

    // A refresh held: B's open connection is not delayed and keeps re-authenticating with the
    // cached token, credentials resolve at once and a new connection opens, all while held.
    aws.hold();
    Awaitility.await("the next token refresh is held")
        .atMost(Duration.ofSeconds(30))
        .until(aws::isHolding);
    EmulatorCounters before = counters();
    for (int i = 0; i < 10; i++) {
      bConnection.sync().set("held:" + i, "v" + i);
    }
    assertThat(slow.credentials().resolveCredentials().toFuture()).isCompleted();
    StatefulRedisConnection<String, String> opened = b.connect();
    assertThat(opened.sync().aclWhoami()).isEqualTo(USER);
    Awaitility.await("a re-authentication while the fetch is held")
        .until(() -> counters().minus(before).reauthentications() > 0);
    assertThat(aws.isHolding()).as("the fetch is still held").isTrue();
    aws.release();
    assertThat(counters().minus(before).authenticationsRejected()).isZero();
  }

  /**
   * Sync, async and reactive commands, and a commons-pool2 pool built with Lettuce's {@link
   * ConnectionPoolSupport} (idle pooled connections included), across three and a half connection
   * limits: nothing fails, nothing is closed or reconnected, and Lettuce's re-authentication events
   * reach the core's listeners.
   */
  @Test
  void syncAsyncReactiveAndPooledConnectionsStayAuthenticatedAcrossRenewals() throws Exception {
    IamLettuce iam = LettuceClientUnderTest.iam(settings());
    RedisClient client = iam.redisClient(settings().host(), settings().port());
    closeAfterTest(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    GenericObjectPoolConfig<StatefulRedisConnection<String, String>> config =
        new GenericObjectPoolConfig<>();
    config.setMaxTotal(6);
    config.setMinIdle(6);
    config.setTestOnBorrow(true);
    GenericObjectPool<StatefulRedisConnection<String, String>> pool =
        ConnectionPoolSupport.createGenericObjectPool(client::connect, config);
    closeAfterTest(pool::close);
    pool.preparePool();
    StatefulRedisConnection<String, String> shared = client.connect();
    EmulatorCounters before = counters();
    long created = pool.getCreatedCount();

    AtomicLong pooled = new AtomicLong();
    AtomicLong async = new AtomicLong();
    AtomicLong reactive = new AtomicLong();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
    every(
        load,
        failures,
        () -> {
          try (StatefulRedisConnection<String, String> c = pool.borrowObject()) {
            c.sync().set("pool", "p");
            assertThat(c.sync().get("pool")).isEqualTo("p");
          }
          pooled.incrementAndGet();
        });
    every(
        load,
        failures,
        () -> {
          shared.async().set("async", "a").get(10, TimeUnit.SECONDS);
          assertThat(shared.async().get("async").get(10, TimeUnit.SECONDS)).isEqualTo("a");
          async.incrementAndGet();
        });
    every(
        load,
        failures,
        () -> {
          String read =
              shared
                  .reactive()
                  .set("reactive", "r")
                  .then(shared.reactive().get("reactive"))
                  .block(Duration.ofSeconds(10));
          assertThat(read).isEqualTo("r");
          reactive.incrementAndGet();
        });
    // Three and a half connection limits of traffic.
    CountDownLatch ran = new CountDownLatch(1);
    load.schedule(
        ran::countDown,
        CONNECTION_LIMIT.multipliedBy(7).dividedBy(2).toMillis(),
        TimeUnit.MILLISECONDS);
    ran.await();
    load.shutdown();
    assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(failures).as("failed commands").isEmpty();
    assertThat(pooled.get()).as("pooled round trips").isGreaterThan(50);
    assertThat(async.get()).as("async round trips").isGreaterThan(50);
    assertThat(reactive.get()).as("reactive round trips").isGreaterThan(50);
    EmulatorCounters d = counters().minus(before);
    assertThat(d.connectionsClosedAtLimit()).as("closed at the limit").isZero();
    assertThat(d.connectionsOpened()).as("connections reopened").isZero();
    assertThat(pool.getCreatedCount()).as("pooled connections created").isEqualTo(created);
    assertThat(d.authenticationsRejected()).isZero();
    // Eight connections, each re-authenticated every second or so, for ten seconds.
    assertThat(d.reauthentications()).as("re-authentications").isGreaterThan(8 * 5);
    assertThat(events())
        .as("re-authentications reported to the listeners through Lettuce's event bus")
        .filteredOn(e -> e instanceof IamAuthEvent.ConnectionReauthenticated)
        .hasSizeGreaterThan(8 * 5);
  }

  /**
   * Credentials that cannot be had surface as the core's typed error naming the cache and user, at
   * once when AWS fails and after the first-token timeout when AWS does not answer: never a hang,
   * never Lettuce's bare "connection initialization timed out".
   */
  @Test
  void aTokenThatCannotBeMintedIsATypedErrorNamingTheCacheAndUser() throws Exception {
    AwsCredentialsProvider none =
        () -> {
          throw new IllegalStateException("no AWS credentials in the chain");
        };
    IamLettuce failing =
        IamLettuce.builder()
            .target(IamTarget.elastiCache(CACHE, USER))
            .region(REGION)
            .credentialsProvider(none)
            .trustStore(settings().tls().trustStore())
            .build();
    closeAfterTest(failing);
    RedisClient client = failing.redisClient(settings().host(), settings().port());
    closeAfterTest(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    EmulatorCounters before = counters();

    // Lettuce 6.6 throws a RedisConnectionException caused by it; Lettuce 7, which resolves the
    // credentials to render the RedisURI while connecting, a CompletionException.
    Throwable thrown = typedFailure(client);

    assertThat(find(thrown, TokenUnavailableException.class))
        .as("the cause, in " + stackTrace(thrown))
        .isNotNull()
        .satisfies(
            t ->
                assertThat(t.getMessage())
                    .contains("ElastiCache cache \"orders\"")
                    .contains("user \"app\"")
                    .contains("no AWS credentials in the chain"));
    assertThat(counters().minus(before).authenticationsAccepted()).isZero();

    HeldCredentials silent = new HeldCredentials(TrustedCredentials.example().asProvider());
    silent.hold();
    IamLettuce waiting =
        IamLettuce.builder()
            .config(config(silent).toBuilder().firstTokenTimeout(Duration.ofSeconds(1)).build())
            .trustStore(settings().tls().trustStore())
            .build();
    closeAfterTest(waiting);
    RedisClient patient = waiting.redisClient(settings().host(), settings().port());
    closeAfterTest(() -> patient.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    try {
      Throwable timedOut = typedFailure(patient);
      assertThat(find(timedOut, TokenUnavailableException.class))
          .as("the cause, in " + stackTrace(timedOut))
          .isNotNull()
          .satisfies(
              t -> assertThat(t.getMessage()).contains("\"orders\"").contains("firstTokenTimeout"));
    } finally {
      silent.release();
    }
  }

  private static void every(
      ScheduledExecutorService executor, List<Throwable> failures, ThrowingRunnable task) {
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (Throwable e) {
            failures.add(e);
          }
        },
        0,
        10,
        TimeUnit.MILLISECONDS);
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /**
   * Connects, expecting a failure, and returns the first failure that carries a typed cause, or the
   * last one (up to three attempts): Lettuce's handshake handler (6.6 to 7.7) closes the TLS
   * connection before completing the connection future with the cause it was given, and when the
   * server answers the close first, its own "Connection closed prematurely" wins that race. The
   * adapter logs the typed error in that case too.
   */
  private static Throwable typedFailure(RedisClient client) {
    Throwable last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      last = catchThrowable(client::connect);
      assertThat(last).as("connecting without a token").isNotNull();
      if (find(last, TokenUnavailableException.class) != null) {
        return last;
      }
      assertThat(stackTrace(last)).contains("Connection closed prematurely");
    }
    return last;
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable e = t; e != null; e = e.getCause()) {
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    return null;
  }

  /** Delegates to {@code delegate}, recording the thread each resolution is subscribed on. */
  private static RedisCredentialsProvider recordingCallers(
      RedisCredentialsProvider delegate, List<String> threads) {
    return new RedisCredentialsProvider() {
      @Override
      public Mono<RedisCredentials> resolveCredentials() {
        return Mono.defer(
            () -> {
              threads.add(Thread.currentThread().getName());
              return delegate.resolveCredentials();
            });
      }

      @Override
      public boolean supportsStreaming() {
        return delegate.supportsStreaming();
      }

      @Override
      public Flux<RedisCredentials> credentials() {
        return delegate.credentials();
      }
    };
  }
}
