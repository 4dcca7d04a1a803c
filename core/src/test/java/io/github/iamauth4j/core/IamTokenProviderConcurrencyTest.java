package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The token cache on the real shared {@link RefreshScheduler}, with many reader threads. Time is a
 * {@link MutableClock}; waiting is on latches and Awaitility, never on sleeps.
 */
class IamTokenProviderConcurrencyTest {
  private static final int READERS = 16;
  private static final int READS_EACH = 2_000;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final FakeCredentials creds = FakeCredentials.basic();
  private final List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicLong issued = new AtomicLong();
  private final ExecutorService pool = Executors.newFixedThreadPool(READERS);
  private IamTokenProvider provider;

  @AfterEach
  void tearDown() {
    creds.stopHolding();
    if (provider != null) {
      provider.close();
    }
    pool.shutdownNow();
  }

  private IamTokenProvider provider() {
    provider =
        IamTokenProvider.builder()
            .target(IamTarget.elastiCache("orders", "app"))
            .region("us-east-1")
            .credentialsProvider(creds)
            .clock(clock)
            .listener(events::add)
            .listener(
                e -> {
                  if (e instanceof IamAuthEvent.TokenIssued) {
                    issued.incrementAndGet();
                  }
                })
            .build();
    return provider;
  }

  private long issued() {
    return issued.get();
  }

  @Test
  void readersNeverBlockOnARefreshHeldOnItsCredentialFetch() throws Exception {
    IamTokenProvider p = provider();
    AuthToken t1 = p.token();
    assertThat(creds.calls()).isEqualTo(1);

    CountDownLatch fetchEntered = new CountDownLatch(1);
    CountDownLatch releaseFetch = new CountDownLatch(1);
    creds.holdOn(fetchEntered, releaseFetch);
    clock.set(T0.plusSeconds(451)); // past refreshAt: the first reader starts the refresh

    CountDownLatch start = new CountDownLatch(1);
    List<Future<Set<AuthToken>>> readers = new ArrayList<>();
    for (int r = 0; r < READERS; r++) {
      readers.add(
          pool.submit(
              () -> {
                Set<AuthToken> seen = ConcurrentHashMap.newKeySet();
                start.await();
                for (int i = 0; i < READS_EACH; i++) {
                  seen.add(p.token());
                }
                return seen;
              }));
    }
    start.countDown();

    // Every reader finishes all its reads while the fetch is still held: nobody waited on it.
    for (Future<Set<AuthToken>> reader : readers) {
      assertThat(reader.get(60, TimeUnit.SECONDS)).containsExactly(t1);
    }
    assertThat(fetchEntered.await(60, TimeUnit.SECONDS)).as("the refresh started").isTrue();
    assertThat(releaseFetch.getCount()).as("the fetch is still held").isEqualTo(1);
    assertThat(creds.calls()).as("one fetch for all readers").isEqualTo(2);
    assertThat(creds.threads().get(1).getName()).startsWith("iamauth4j-refresh-");

    releaseFetch.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> issued() == 2);
    AuthToken t2 = p.token();
    assertThat(t2).isNotSameAs(t1);
    assertThat(t2.issuedAt()).isEqualTo(T0.plusSeconds(451));
    assertThat(creds.calls()).as("exactly one signing per refresh").isEqualTo(2);
  }

  @Test
  void manyFirstCallersShareOneFetch() throws Exception {
    IamTokenProvider p = provider();
    CountDownLatch fetchEntered = new CountDownLatch(1);
    CountDownLatch releaseFetch = new CountDownLatch(1);
    creds.holdOn(fetchEntered, releaseFetch);

    List<Future<AuthToken>> callers = new ArrayList<>();
    for (int r = 0; r < READERS; r++) {
      callers.add(pool.submit(p::token));
    }
    assertThat(fetchEntered.await(60, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<AuthToken> async = p.tokenAsync();
    assertThat(async).isNotDone();
    releaseFetch.countDown();

    AuthToken first = callers.get(0).get(60, TimeUnit.SECONDS);
    for (Future<AuthToken> c : callers) {
      assertThat(c.get(60, TimeUnit.SECONDS)).isSameAs(first);
    }
    assertThat(async.get(60, TimeUnit.SECONDS)).isSameAs(first);
    assertThat(creds.calls()).isEqualTo(1);
  }

  @Test
  void tokenAsyncFetchesOnARefreshThreadNotTheCallers() throws Exception {
    IamTokenProvider p = provider();
    Thread caller = Thread.currentThread();

    AuthToken t = p.tokenAsync().get(60, TimeUnit.SECONDS);

    assertThat(t.issuedAt()).isEqualTo(T0);
    assertThat(creds.threads()).hasSize(1).doesNotContain(caller);
    assertThat(creds.threads().get(0).getName()).startsWith("iamauth4j-refresh-");
    assertThat(creds.threads().get(0).isDaemon()).isTrue();
  }

  @Test
  void manyRefreshesUnderConcurrentReadsSignOncePerRefresh() throws Exception {
    IamTokenProvider p = provider();
    p.token();
    // The event follows the token by a moment (listeners are told after callers are served).
    await().atMost(Duration.ofSeconds(30)).until(() -> issued() == 1);
    int refreshes = 20;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> readers = new ArrayList<>();
    for (int r = 0; r < READERS; r++) {
      readers.add(
          pool.submit(
              () -> {
                start.await();
                int n = 0;
                while (issued() <= refreshes) {
                  // The provider reads the clock after this, so the token must outlive `before`
                  // by the safety margin.
                  Instant before = clock.instant();
                  assertThat(p.token().usableUntil()).isAfter(before.plusSeconds(30));
                  n++;
                  Thread.yield(); // 16 readers on few cores: let the clock and the fetch move
                }
                return n;
              }));
    }
    start.countDown();
    for (int i = 1; i <= refreshes; i++) {
      long expected = i + 1;
      // Past this token's refresh time: the readers (not a timer) start the refresh.
      clock.advance(Duration.ofSeconds(451));
      await().atMost(Duration.ofSeconds(30)).until(() -> issued() == expected);
    }
    for (Future<Integer> reader : readers) {
      assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
    }
    assertThat(issued()).isEqualTo(refreshes + 1);
    assertThat(creds.calls()).as("one signing per refresh").isEqualTo(refreshes + 1);
  }
}
