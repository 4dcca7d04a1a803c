package io.github.iamauth4j.micrometer;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthEvent.PasswordFallback.Reason;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for one or more {@link IamTokenProvider}s, fed by the providers' own events
 * ({@link IamTokenProvider#events()}): usable without Spring, and bound automatically by Spring
 * Boot when declared as a bean.
 *
 * <pre>{@code
 * IamAuthMeterBinder meters = IamAuthMeterBinder.of(lettuce.tokenProvider(), jedis.tokenProvider());
 * meters.bindTo(registry);
 * }</pre>
 *
 * <p>Meters, each tagged {@code kind} ({@code elasticache}, {@code elasticache-serverless}, {@code
 * memorydb}, {@code rds}, {@code dsql}), {@code target} (the cache or cluster name, or the database
 * endpoint {@code host:port}) and {@code user}, plus the binder's common tags:
 *
 * <ul>
 *   <li>{@value #TOKENS_ISSUED} (counter): tokens signed;
 *   <li>{@value #REFRESH_FAILURES} (counter): failed attempts to sign one (no credentials, a
 *       credentials source that is down); the provider retries;
 *   <li>{@value #REAUTHENTICATIONS} (counter): live connections re-authenticated with a fresh
 *       token;
 *   <li>{@value #REAUTHENTICATION_FAILURES} (counter): re-authentications that failed (retried
 *       before the server's limit);
 *   <li>{@value #CONNECTIONS_RETIRED} (counter): connections closed by an adapter at their maximum
 *       age;
 *   <li>{@value #PASSWORD_FALLBACKS} (counter, tagged {@code reason}: {@code no_usable_token},
 *       {@code token_refused}): connections that authenticated with the fallback password during a
 *       migration from passwords;
 *   <li>{@value #TOKEN_REMAINING} (time gauge, seconds): how long the current token stays usable (0
 *       once it no longer is, no value before the first token).
 * </ul>
 *
 * <p>Counting starts when a provider is added to the binder (or, for a binder given as a listener
 * to the providers' configuration, with the provider's first event), not when the binder is bound
 * to a registry: a token signed at start-up, before the registry exists, is counted. Binding to
 * several registries (or a composite) shows the same counts in each. Tags never carry a token or
 * secret. Adding a provider that has no token yet starts fetching one, as {@link
 * IamTokenProvider#prefetch()} does. {@link #close()} stops listening.
 *
 * <p>Thread-safe.
 */
public final class IamAuthMeterBinder implements MeterBinder, IamAuthListener, AutoCloseable {

  /** Counter of tokens signed. */
  public static final String TOKENS_ISSUED = "iamauth4j.tokens.issued";

  /** Counter of failed attempts to sign a token. */
  public static final String REFRESH_FAILURES = "iamauth4j.token.refresh.failures";

  /** Counter of live connections re-authenticated. */
  public static final String REAUTHENTICATIONS = "iamauth4j.reauthentications";

  /** Counter of failed re-authentications of live connections. */
  public static final String REAUTHENTICATION_FAILURES = "iamauth4j.reauthentication.failures";

  /** Counter of connections closed at their maximum age. */
  public static final String CONNECTIONS_RETIRED = "iamauth4j.connections.retired";

  /**
   * Counter of connections that authenticated with the fallback password instead of IAM (a
   * migration from passwords), tagged {@code reason}.
   */
  public static final String PASSWORD_FALLBACKS = "iamauth4j.password.fallbacks";

  /** Time gauge of the current token's remaining usable life, in seconds. */
  public static final String TOKEN_REMAINING = "iamauth4j.token.remaining";

  /** Timer: the time to sign a token, getting the credentials included (a provider's own). */
  public static final String TOKEN_SIGNING = "iamauth4j.token.signing";

  private final Tags commonTags;
  // One source per target: a provider added and events heard as a listener meet in one place.
  private final ConcurrentMap<IamTarget, Source> sources = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private IamAuthMeterBinder(Iterable<Tag> commonTags) {
    this.commonTags = Tags.of(commonTags);
  }

  /**
   * A binder for {@code providers}, with no common tags.
   *
   * @param providers the token providers to measure
   * @return the binder, listening already
   */
  public static IamAuthMeterBinder of(IamTokenProvider... providers) {
    IamAuthMeterBinder binder = new IamAuthMeterBinder(Tags.empty());
    for (IamTokenProvider p : providers) {
      binder.add(p);
    }
    return binder;
  }

  /**
   * A binder with no provider yet and {@code commonTags} on every meter; add providers with {@link
   * #add(IamTokenProvider)}, or give the binder as a listener.
   *
   * @param commonTags tags for every meter, e.g. the application's name
   * @return the binder
   */
  public static IamAuthMeterBinder withTags(Iterable<Tag> commonTags) {
    return new IamAuthMeterBinder(Objects.requireNonNull(commonTags, "commonTags"));
  }

  /**
   * Measures {@code provider} too; its meters appear in every registry this binder is bound to,
   * including those it was bound to before. Adding a provider already measured does nothing; a
   * provider whose events this binder already hears as a {@linkplain #onEvent listener} is not
   * counted twice.
   *
   * @param provider the token provider
   * @return this binder
   * @throws IllegalStateException if the binder is closed
   */
  public IamAuthMeterBinder add(IamTokenProvider provider) {
    Objects.requireNonNull(provider, "provider");
    Source source = source(provider.target());
    if (source.attach(provider)) {
      source.seed();
    }
    return this;
  }

  /**
   * Counts {@code event} under its target, registering the target's meters on its first event. Give
   * the binder as a listener where providers are made (e.g. {@code
   * IamAuthConfig.Builder.listener(binder)}, or {@code IamDriver.addListener(binder)} for the JDBC
   * URL driver's providers) to count from the very first token; a closed binder ignores events.
   */
  @Override
  public void onEvent(IamAuthEvent event) {
    if (!closed) {
      source(event.target()).record(event);
    }
  }

  private Source source(IamTarget target) {
    Source existing = sources.get(target);
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the iamauth4j meter binder is closed");
      }
      Source s = sources.get(target);
      if (s == null) {
        s = new Source(target, commonTags);
        for (MeterRegistry r : registries) {
          s.register(r);
        }
        sources.put(target, s);
      }
      return s;
    }
  }

  /** The providers added, in no particular order. */
  public List<IamTokenProvider> providers() {
    List<IamTokenProvider> out = new ArrayList<>();
    for (Source s : sources.values()) {
      IamTokenProvider p = s.provider;
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (registries.addIfAbsent(registry)) {
      for (Source s : sources.values()) {
        s.register(registry);
      }
    }
  }

  /** Stops listening to the providers' events; the meters keep their last values. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Source s : sources.values()) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return "IamAuthMeterBinder[" + sources.size() + " targets]";
  }

  /**
   * The tags that identify a target: kind, name and user (validated by the core: no control
   * characters); never a token.
   */
  static Tags targetTags(IamTarget target) {
    return Tags.of(
        Tag.of("kind", target.kind().name().toLowerCase(Locale.ROOT).replace('_', '-')),
        Tag.of("target", target.signedHost()),
        Tag.of("user", target.userName()));
  }

  /**
   * One target's counts, fed by its provider's events (or by the binder as a listener); registries
   * read them through function meters.
   */
  private static final class Source implements IamAuthListener {
    final Tags tags;
    final LongAdder issued = new LongAdder();
    final LongAdder refreshFailures = new LongAdder();
    final LongAdder reauthenticated = new LongAdder();
    final LongAdder reauthenticationFailures = new LongAdder();
    final LongAdder retired = new LongAdder();
    final EnumMap<Reason, LongAdder> fallbacks = new EnumMap<>(Reason.class);
    // The last events counted: one event reaching this source twice (through a provider's
    // listener list and through the binder as a configured listener) is counted once.
    private final IamAuthEvent[] recent = new IamAuthEvent[32];
    private int next;
    private volatile @Nullable Instant usableUntil;
    volatile @Nullable IamTokenProvider provider;
    private @Nullable AutoCloseable subscription;

    Source(IamTarget target, Tags commonTags) {
      this.tags = commonTags.and(targetTags(target));
      for (Reason reason : Reason.values()) {
        fallbacks.put(reason, new LongAdder());
      }
    }

    /** Listens to {@code p}'s events; false if a provider was attached before. */
    synchronized boolean attach(IamTokenProvider p) {
      if (provider != null) {
        return false;
      }
      provider = p;
      subscription = p.events().listen(this);
      return true;
    }

    /** The current token's life, when the provider already has one (or starts its fetch). */
    void seed() {
      IamTokenProvider p = provider;
      if (p == null) {
        return;
      }
      CompletableFuture<AuthToken> current;
      try {
        current = p.tokenAsync();
      } catch (RuntimeException e) {
        return; // a closed provider: no current token to show
      }
      // A token fetched later arrives as a TokenIssued event; only one cached now is read here.
      AuthToken t = current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
      if (t != null && usableUntil == null) {
        usableUntil = t.usableUntil();
      }
    }

    @Override
    public void onEvent(IamAuthEvent event) {
      record(event);
    }

    void record(IamAuthEvent event) {
      synchronized (recent) {
        for (IamAuthEvent e : recent) {
          if (e == event) {
            return;
          }
        }
        recent[next] = event;
        next = (next + 1) % recent.length;
      }
      // No exhaustive switch: event types added later are ignored here.
      if (event instanceof IamAuthEvent.TokenIssued issuedEvent) {
        Instant before = usableUntil;
        if (before == null || issuedEvent.usableUntil().isAfter(before)) {
          usableUntil = issuedEvent.usableUntil();
        }
        issued.increment();
      } else if (event instanceof IamAuthEvent.RefreshFailed) {
        refreshFailures.increment();
      } else if (event instanceof IamAuthEvent.ConnectionReauthenticated) {
        reauthenticated.increment();
      } else if (event instanceof IamAuthEvent.ReauthenticationFailed) {
        reauthenticationFailures.increment();
      } else if (event instanceof IamAuthEvent.ConnectionRetired) {
        retired.increment();
      } else if (event instanceof IamAuthEvent.PasswordFallback f) {
        LongAdder count = fallbacks.get(f.reason());
        if (count != null) {
          count.increment();
        }
      }
    }

    long tokensSigned() {
      IamTokenProvider p = provider;
      return p == null ? 0 : p.signingStats().tokensSigned();
    }

    double signingNanos() {
      IamTokenProvider p = provider;
      return p == null ? 0 : p.signingStats().totalTime().toNanos();
    }

    double remainingSeconds() {
      Instant until = usableUntil;
      if (until == null) {
        return Double.NaN;
      }
      IamTokenProvider p = provider;
      long now = p != null ? p.clock().millis() : System.currentTimeMillis();
      long millis = until.toEpochMilli() - now;
      return Math.max(0, millis) / 1000.0;
    }

    void register(MeterRegistry r) {
      counter(r, TOKENS_ISSUED, issued, "IAM auth tokens signed");
      counter(r, REFRESH_FAILURES, refreshFailures, "failed attempts to sign an IAM auth token");
      counter(r, REAUTHENTICATIONS, reauthenticated, "live connections re-authenticated");
      counter(
          r,
          REAUTHENTICATION_FAILURES,
          reauthenticationFailures,
          "failed re-authentications of live connections");
      counter(r, CONNECTIONS_RETIRED, retired, "connections closed at their maximum age");
      for (Map.Entry<Reason, LongAdder> e : fallbacks.entrySet()) {
        FunctionCounter.builder(PASSWORD_FALLBACKS, e.getValue(), LongAdder::doubleValue)
            .tags(tags)
            .tag("reason", e.getKey().name().toLowerCase(Locale.ROOT))
            .description("connections authenticated with the fallback password instead of IAM")
            .register(r);
      }
      FunctionTimer.builder(
              TOKEN_SIGNING, this, Source::tokensSigned, Source::signingNanos, TimeUnit.NANOSECONDS)
          .tags(tags)
          .description("time to sign an IAM auth token, getting the credentials included")
          .register(r);
      TimeGauge.builder(TOKEN_REMAINING, this, TimeUnit.SECONDS, Source::remainingSeconds)
          .tags(tags)
          .description("how long the current IAM auth token stays usable")
          .register(r);
    }

    private void counter(MeterRegistry r, String name, LongAdder count, String description) {
      FunctionCounter.builder(name, count, LongAdder::doubleValue)
          .tags(tags)
          .description(description)
          .register(r);
    }

    synchronized void close() {
      AutoCloseable s = subscription;
      if (s != null) {
        try {
          s.close();
        } catch (Exception e) {
          // Removing a listener from a list does not fail.
        }
      }
    }
  }
}
