package io.github.iamauth4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The binder against real token providers that sign with AWS's documented example keys. */
class IamAuthMeterBinderTest {
  static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  static final AwsCredentialsProvider EXAMPLE_KEYS =
      StaticCredentialsProvider.create(
          AwsBasicCredentials.create(
              "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

  final MutableClock clock = new MutableClock(T0);
  final IamTokenProvider orders =
      IamTokenProvider.create(
          IamAuthConfig.builder()
              .target(IamTarget.elastiCache("orders", "app"))
              .region("us-east-1")
              .credentialsProvider(EXAMPLE_KEYS)
              .clock(clock)
              .build());
  final IamTokenProvider db =
      IamTokenProvider.create(
          IamAuthConfig.builder()
              .target(IamTarget.rds("db1.abc123.eu-west-1.rds.amazonaws.com", 5432, "reporting"))
              .credentialsProvider(EXAMPLE_KEYS)
              .clock(clock)
              .build());

  @AfterEach
  void close() {
    orders.close();
    db.close();
  }

  static Tags ordersTags() {
    return Tags.of("kind", "elasticache", "target", "orders", "user", "app");
  }

  static double count(MeterRegistry registry, String name, Tags tags) {
    return registry.get(name).tags(tags).functionCounter().count();
  }

  @Test
  void countsTokensAndConnectionEventsTaggedByTarget() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IamAuthMeterBinder binder = IamAuthMeterBinder.of(orders, db);
    binder.bindTo(registry);

    AuthToken token = orders.token();
    db.token();
    orders.events().reauthenticated("connection 1");
    orders.events().reauthenticated("connection 2");
    orders.events().reauthenticationFailed("connection 3", new IllegalStateException("WRONGPASS"));
    orders.events().retired("connection 4", Duration.ofHours(1));

    assertThat(count(registry, IamAuthMeterBinder.TOKENS_ISSUED, ordersTags())).isEqualTo(1);
    assertThat(count(registry, IamAuthMeterBinder.REAUTHENTICATIONS, ordersTags())).isEqualTo(2);
    assertThat(count(registry, IamAuthMeterBinder.REAUTHENTICATION_FAILURES, ordersTags()))
        .isEqualTo(1);
    assertThat(count(registry, IamAuthMeterBinder.CONNECTIONS_RETIRED, ordersTags())).isEqualTo(1);
    assertThat(count(registry, IamAuthMeterBinder.REFRESH_FAILURES, ordersTags())).isZero();
    Tags dbTags =
        Tags.of(
            "kind",
            "rds",
            "target",
            "db1.abc123.eu-west-1.rds.amazonaws.com:5432",
            "user",
            "reporting");
    assertThat(count(registry, IamAuthMeterBinder.TOKENS_ISSUED, dbTags)).isEqualTo(1);
    assertThat(count(registry, IamAuthMeterBinder.REAUTHENTICATIONS, dbTags)).isZero();

    // Never a token (nor its signature or key id) in a tag.
    String signature = token.value().substring(token.value().indexOf("X-Amz-Signature=") + 16);
    assertThat(signature).hasSize(64);
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getValue())
            .doesNotContain(signature)
            .doesNotContain("X-Amz")
            .doesNotContain("AKIA");
      }
    }
  }

  @Test
  void gaugeShowsTheCurrentTokensRemainingLifeByTheProvidersClock() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // Binding a provider without a token starts its fetch; the gauge shows the token it brings.
    IamAuthMeterBinder.of(orders).bindTo(registry);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Double.isNaN(remaining(registry)));
    assertThat(remaining(registry)).isEqualTo(900.0);
    // The time to sign it: one token, a positive time (the provider's own measure).
    io.micrometer.core.instrument.FunctionTimer signing =
        registry.get(IamAuthMeterBinder.TOKEN_SIGNING).functionTimer();
    assertThat(signing.count()).isEqualTo(1.0);
    assertThat(signing.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    clock.advance(Duration.ofMinutes(5));
    assertThat(remaining(registry)).isEqualTo(600.0);
    clock.advance(Duration.ofMinutes(20));
    assertThat(remaining(registry)).isZero();
  }

  @Test
  void aProviderWithATokenAlreadyShowsItsLifeWhenBound() {
    orders.token();
    clock.advance(Duration.ofMinutes(1));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IamAuthMeterBinder.of(orders).bindTo(registry);
    assertThat(remaining(registry)).isEqualTo(840.0);
    // Counting starts with the binder: the token signed before it is not counted.
    assertThat(count(registry, IamAuthMeterBinder.TOKENS_ISSUED, ordersTags())).isZero();
  }

  static double remaining(MeterRegistry registry) {
    return registry
        .get(IamAuthMeterBinder.TOKEN_REMAINING)
        .tags(ordersTags())
        .timeGauge()
        .value(TimeUnit.SECONDS);
  }

  @Test
  void countsRefreshFailures() {
    AtomicReference<RuntimeException> failure =
        new AtomicReference<>(new IllegalStateException("no credentials in this test"));
    AwsCredentialsProvider failing =
        () -> {
          throw failure.get();
        };
    try (IamTokenProvider broken =
        IamTokenProvider.create(
            IamAuthConfig.builder()
                .target(IamTarget.memoryDb("sessions", "app"))
                .region("eu-west-1")
                .credentialsProvider(failing)
                .build())) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      IamAuthMeterBinder.of(broken).bindTo(registry);
      Tags tags = Tags.of("kind", "memorydb", "target", "sessions", "user", "app");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count(registry, IamAuthMeterBinder.REFRESH_FAILURES, tags) >= 1);
      assertThat(count(registry, IamAuthMeterBinder.TOKENS_ISSUED, tags)).isZero();
      assertThat(
              registry
                  .get(IamAuthMeterBinder.TOKEN_REMAINING)
                  .tags(tags)
                  .timeGauge()
                  .value(TimeUnit.SECONDS))
          .isNaN();
    }
  }

  @Test
  void eventsBeforeBindingAreCountedAndEveryRegistryShowsTheSameCounts() {
    IamAuthMeterBinder binder = IamAuthMeterBinder.withTags(Tags.of("application", "shop"));
    binder.add(orders);
    orders.token();
    orders.events().reauthenticated("connection 1");

    SimpleMeterRegistry first = new SimpleMeterRegistry();
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    binder.bindTo(first);
    binder.bindTo(second);
    binder.bindTo(first); // bound twice: no duplicate meters, no error
    orders.events().reauthenticated("connection 2");

    Tags tags = ordersTags().and("application", "shop");
    for (MeterRegistry r : List.of(first, second)) {
      assertThat(count(r, IamAuthMeterBinder.TOKENS_ISSUED, tags)).isEqualTo(1);
      assertThat(count(r, IamAuthMeterBinder.REAUTHENTICATIONS, tags)).isEqualTo(2);
    }

    // A provider added after binding shows up in both registries.
    binder.add(db);
    binder.add(db);
    assertThat(binder.providers()).containsExactlyInAnyOrder(orders, db);
    db.events().retired("connection 9", Duration.ofMinutes(30));
    for (MeterRegistry r : List.of(first, second)) {
      assertThat(
              r.get(IamAuthMeterBinder.CONNECTIONS_RETIRED)
                  .tags("kind", "rds", "application", "shop")
                  .functionCounter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void countsPasswordFallbacksByReason() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IamAuthMeterBinder.of(orders).bindTo(registry);
    for (IamAuthEvent.PasswordFallback.Reason reason :
        List.of(
            IamAuthEvent.PasswordFallback.Reason.TOKEN_REFUSED,
            IamAuthEvent.PasswordFallback.Reason.TOKEN_REFUSED,
            IamAuthEvent.PasswordFallback.Reason.NO_USABLE_TOKEN)) {
      orders
          .events()
          .publish(
              new IamAuthEvent.PasswordFallback(
                  orders.target(), clock.instant(), "connection 1", reason, "legacy", "WRONGPASS"));
    }
    assertThat(
            count(
                registry,
                IamAuthMeterBinder.PASSWORD_FALLBACKS,
                ordersTags().and("reason", "token_refused")))
        .isEqualTo(2);
    assertThat(
            count(
                registry,
                IamAuthMeterBinder.PASSWORD_FALLBACKS,
                ordersTags().and("reason", "no_usable_token")))
        .isEqualTo(1);
  }

  @Test
  void asAConfiguredListenerItCountsFromTheFirstTokenAndNeverTwice() {
    IamAuthMeterBinder binder = IamAuthMeterBinder.withTags(Tags.empty());
    try (IamTokenProvider listened =
        IamTokenProvider.create(
            IamAuthConfig.builder()
                .target(IamTarget.elastiCacheServerless("carts", "app"))
                .region("us-east-1")
                .credentialsProvider(EXAMPLE_KEYS)
                .clock(clock)
                .listener(binder)
                .build())) {
      listened.token(); // before any registry or add(): counted all the same
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      binder.bindTo(registry);
      Tags tags = Tags.of("kind", "elasticache-serverless", "target", "carts", "user", "app");
      assertThat(count(registry, IamAuthMeterBinder.TOKENS_ISSUED, tags)).isEqualTo(1);

      // Added as well (for the gauge): each event still counts once.
      binder.add(listened);
      listened.events().reauthenticated("connection 1");
      assertThat(count(registry, IamAuthMeterBinder.REAUTHENTICATIONS, tags)).isEqualTo(1);
      assertThat(
              registry
                  .get(IamAuthMeterBinder.TOKEN_REMAINING)
                  .tags(tags)
                  .timeGauge()
                  .value(TimeUnit.SECONDS))
          .isEqualTo(900.0);
    }
  }

  @Test
  void closedBinderStopsCounting() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IamAuthMeterBinder binder = IamAuthMeterBinder.of(orders);
    binder.bindTo(registry);
    orders.events().reauthenticated("connection 1");
    binder.close();
    orders.events().reauthenticated("connection 2");
    assertThat(count(registry, IamAuthMeterBinder.REAUTHENTICATIONS, ordersTags())).isEqualTo(1);
    assertThatThrownBy(() -> binder.add(db))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  /** A clock the tests move by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
