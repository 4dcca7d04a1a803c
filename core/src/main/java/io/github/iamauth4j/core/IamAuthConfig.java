package io.github.iamauth4j.core;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The one configuration of a token provider that every adapter accepts: what the tokens authorise,
 * where the region and credentials come from, and how the cache behaves. Immutable; built by {@link
 * #builder()}, copied and changed with {@link #toBuilder()}.
 *
 * <pre>{@code
 * IamAuthConfig config = IamAuthConfig.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))
 *     .region("us-east-1")                     // or .endpoint(host), or the AWS SDK's chain
 *     .build();
 * IamTokenProvider tokens = IamTokenProvider.create(config);
 * }</pre>
 *
 * <p>{@link Builder#build()} resolves the region (from the setting, the target's or endpoint's host
 * name, else the AWS SDK's region chain) and reports every problem at once in one {@link
 * IamConfigurationException}. The {@code toString()} names the target and settings, never a secret.
 */
public final class IamAuthConfig {

  /**
   * The default {@linkplain Builder#firstTokenTimeout(Duration) first-token timeout}: 5 seconds.
   */
  public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(5);

  /** The default {@linkplain Builder#refreshBeforeExpiry(Duration) refresh lead}: 7.5 minutes. */
  public static final Duration DEFAULT_REFRESH_BEFORE_EXPIRY = Duration.ofSeconds(450);

  private static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(30);

  private final Builder settings;
  private final IamTokenGenerator generator;
  private final Duration safetyMargin;
  private final List<IamAuthListener> listeners;

  private IamAuthConfig(Builder settings, IamTokenGenerator generator) {
    this.settings = settings.copy();
    this.generator = generator;
    this.safetyMargin = settings.effectiveSafetyMargin(generator.expiry());
    this.listeners = List.copyOf(settings.listeners);
  }

  /** A builder; a target (or a ready generator) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's settings, to change some of them. */
  public Builder toBuilder() {
    return settings.copy();
  }

  /** What the tokens authorise. */
  public IamTarget target() {
    return generator.target();
  }

  /** The signing region, resolved when the configuration was built. */
  public String region() {
    return generator.region();
  }

  /** The region as set, or null when it was to be found from a host name or the SDK's chain. */
  public @Nullable String regionSetting() {
    return settings.generator == null ? settings.region : generator.region();
  }

  /** The credentials provider as set, or null for the AWS SDK's default chain. */
  public @Nullable AwsCredentialsProvider credentialsProviderSetting() {
    return settings.credentials;
  }

  /** The generator that signs the tokens (target, region, credentials, clock, expiry). */
  public IamTokenGenerator generator() {
    return generator;
  }

  /** The clock that stamps tokens and judges their expiry. */
  public Clock clock() {
    return generator.clock();
  }

  /** The signed expiry of each token. */
  public Duration expiry() {
    return generator.expiry();
  }

  /** How long before a token stops being usable it is replaced (at most half its life). */
  public Duration refreshBeforeExpiry() {
    return settings.refreshBeforeExpiry;
  }

  /** The least usable life a token must have to be handed out. */
  public Duration safetyMargin() {
    return safetyMargin;
  }

  /** The first delay between failed refreshes. */
  public Duration minRetryDelay() {
    return settings.minRetryDelay;
  }

  /** The largest delay between failed refreshes. */
  public Duration maxRetryDelay() {
    return settings.maxRetryDelay;
  }

  /** How long a caller waits for the very first token. */
  public Duration firstTokenTimeout() {
    return settings.firstTokenTimeout;
  }

  /** Where timers and credential fetches run. */
  public RefreshScheduler scheduler() {
    return settings.scheduler;
  }

  /** The password fallback for a migration from passwords, or null when off (the default). */
  public @Nullable FallbackPassword passwordFallback() {
    return settings.passwordFallback;
  }

  /** The listeners every provider built from this configuration reports to. */
  public List<IamAuthListener> listeners() {
    return listeners;
  }

  /**
   * The identity of the token source: two configurations with equal keys can share one token
   * provider (same target, region, credentials provider instance, clock and expiry).
   */
  Object sharingKey() {
    return List.of(
        generator.target(),
        generator.region(),
        settings.credentials == null ? "default-chain" : new Identity(settings.credentials),
        settings.generator == null ? "settings" : new Identity(settings.generator),
        generator.clock(),
        generator.expiry(),
        settings.refreshBeforeExpiry,
        safetyMargin,
        settings.scheduler,
        settings.passwordFallback == null ? "no fallback" : settings.passwordFallback);
  }

  /** Compares by object identity, e.g. a credentials provider without equals. */
  private record Identity(Object o) {
    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof Identity i && i.o == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(o);
    }
  }

  @Override
  public String toString() {
    return "IamAuthConfig["
        + target().description()
        + ", region="
        + region()
        + ", credentials="
        + (settings.credentials == null
            ? "default chain"
            : settings.credentials.getClass().getSimpleName())
        + ", expiry="
        + expiry()
        + ", firstTokenTimeout="
        + firstTokenTimeout()
        + (settings.passwordFallback == null ? "" : ", " + settings.passwordFallback)
        + "]";
  }

  /**
   * Builds an {@link IamAuthConfig}. Setters take nulls only where documented; {@link #build()}
   * checks every value and reports all problems together.
   */
  public static final class Builder {
    private final IamTokenGenerator.Builder generatorBuilder;
    private @Nullable IamTokenGenerator generator;
    private boolean generatorSettings;
    private @Nullable String region;
    private @Nullable AwsCredentialsProvider credentials;
    private Duration refreshBeforeExpiry = DEFAULT_REFRESH_BEFORE_EXPIRY;
    private @Nullable Duration safetyMargin;
    private Duration minRetryDelay = Duration.ofSeconds(1);
    private Duration maxRetryDelay = Duration.ofSeconds(30);
    private Duration firstTokenTimeout = DEFAULT_FIRST_TOKEN_TIMEOUT;
    private RefreshScheduler scheduler = RefreshScheduler.shared();
    private @Nullable FallbackPassword passwordFallback;
    private final List<IamAuthListener> listeners = new ArrayList<>();

    private Builder() {
      this.generatorBuilder = IamTokenGenerator.builder();
    }

    private Builder(Builder from) {
      this.generatorBuilder = from.generatorBuilder.copy();
      this.generator = from.generator;
      this.generatorSettings = from.generatorSettings;
      this.region = from.region;
      this.credentials = from.credentials;
      this.refreshBeforeExpiry = from.refreshBeforeExpiry;
      this.safetyMargin = from.safetyMargin;
      this.minRetryDelay = from.minRetryDelay;
      this.maxRetryDelay = from.maxRetryDelay;
      this.firstTokenTimeout = from.firstTokenTimeout;
      this.scheduler = from.scheduler;
      this.passwordFallback = from.passwordFallback;
      this.listeners.addAll(from.listeners);
    }

    /**
     * An independent copy of this builder's settings, e.g. a template without a target that an
     * adapter completes per connection ({@code template.copy().target(t).build()}).
     */
    public Builder copy() {
      return new Builder(this);
    }

    /**
     * A ready generator (its target, region, credentials, clock and expiry are used). Not
     * combinable with target, region, endpoint, credentials provider, clock or expiry.
     *
     * @param generator the generator
     */
    public Builder generator(IamTokenGenerator generator) {
      this.generator = Objects.requireNonNull(generator, "generator");
      return this;
    }

    /**
     * What the tokens authorise, e.g. {@code IamTarget.elastiCache("orders", "app")}. Required
     * unless a generator is given.
     *
     * @param target the target
     */
    public Builder target(IamTarget target) {
      generatorBuilder.target(target);
      generatorSettings = true;
      return this;
    }

    /**
     * The signing region, e.g. {@code us-east-1}. Default: from the target's or the {@linkplain
     * #endpoint(String) endpoint}'s host name, else the AWS SDK's region chain.
     *
     * @param region the region, or null for the default
     */
    public Builder region(@Nullable String region) {
      this.region = region;
      generatorBuilder.region(region);
      generatorSettings = true;
      return this;
    }

    /**
     * An AWS endpoint host to take the region from when none is set, e.g. {@code
     * master.orders.abc123.use1.cache.amazonaws.com}.
     *
     * @param endpointHost the host the client connects to, or null
     */
    public Builder endpoint(@Nullable String endpointHost) {
      generatorBuilder.endpoint(endpointHost);
      generatorSettings = true;
      return this;
    }

    /**
     * The AWS credentials that sign the tokens. Default: the AWS SDK's default chain, built once
     * per JVM.
     *
     * @param provider the credentials provider
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentials = Objects.requireNonNull(provider, "credentialsProvider");
      generatorBuilder.credentialsProvider(provider);
      generatorSettings = true;
      return this;
    }

    /**
     * The clock that stamps tokens and judges expiry. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     */
    public Builder clock(Clock clock) {
      generatorBuilder.clock(clock);
      generatorSettings = true;
      return this;
    }

    /**
     * The signed expiry. Default and maximum 15 minutes (Aurora DSQL: up to 1 week).
     *
     * @param expiry the expiry, at least 1 second
     */
    public Builder expiry(Duration expiry) {
      generatorBuilder.expiry(expiry);
      generatorSettings = true;
      return this;
    }

    /**
     * How long before a token stops being usable to replace it. Default 7.5 minutes; never more
     * than half the token's usable life.
     *
     * @param before the lead time, more than zero
     */
    public Builder refreshBeforeExpiry(Duration before) {
      this.refreshBeforeExpiry = Objects.requireNonNull(before, "refreshBeforeExpiry");
      return this;
    }

    /**
     * The least usable life a token must have to be handed out, so that it is still valid when the
     * server checks it (network time, clock skew). Default 30 seconds, or a tenth of the signed
     * expiry when that is shorter; a margin given here must be less than half the expiry.
     *
     * @param margin the margin, zero or more
     */
    public Builder safetyMargin(Duration margin) {
      this.safetyMargin = Objects.requireNonNull(margin, "safetyMargin");
      return this;
    }

    /**
     * The backoff between failed refreshes: from {@code min}, doubling, up to {@code max}, with
     * jitter. Default 1 second to 30 seconds.
     *
     * @param min the first delay, more than zero
     * @param max the largest delay, at least {@code min}
     */
    public Builder retryBackoff(Duration min, Duration max) {
      this.minRetryDelay = Objects.requireNonNull(min, "min");
      this.maxRetryDelay = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * How long a caller waits for the very first token before failing with a {@link
     * TokenUnavailableException} that names the target. Default 5 seconds, below the connect
     * timeouts of the clients (so the failure names the cause, not "connect timed out"); the fetch
     * goes on in the background and the next attempt uses its token.
     *
     * @param timeout the timeout, more than zero
     */
    public Builder firstTokenTimeout(Duration timeout) {
      this.firstTokenTimeout = Objects.requireNonNull(timeout, "firstTokenTimeout");
      return this;
    }

    /**
     * Where timers and credential fetches run. Default {@link RefreshScheduler#shared()}.
     *
     * @param scheduler the scheduler
     */
    public Builder scheduler(RefreshScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Adds a listener for token and connection events.
     *
     * @param listener the listener
     */
    public Builder listener(IamAuthListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Falls back to a password credential when IAM cannot be used, for a migration from passwords
     * (see {@link FallbackPassword}): a connection whose token cannot be had, or is refused by the
     * server, authenticates with the password instead of failing; each fallback is logged at WARN
     * and reported as {@link IamAuthEvent.PasswordFallback}. Off by default (null).
     *
     * @param fallback the password credential, or null for none
     */
    public Builder passwordFallback(@Nullable FallbackPassword fallback) {
      this.passwordFallback = fallback;
      return this;
    }

    /**
     * Builds the configuration, resolving the region.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamAuthConfig build() {
      List<String> problems = new ArrayList<>();
      positive(problems, "refreshBeforeExpiry", refreshBeforeExpiry);
      if (safetyMargin != null && safetyMargin.isNegative()) {
        problems.add("safetyMargin: " + safetyMargin + " is negative (expected zero or more)");
      }
      positive(problems, "retryBackoff min", minRetryDelay);
      if (maxRetryDelay.compareTo(minRetryDelay) < 0) {
        problems.add("retryBackoff max: " + maxRetryDelay + " is less than min " + minRetryDelay);
      }
      positive(problems, "firstTokenTimeout", firstTokenTimeout);
      if (generator != null && generatorSettings) {
        problems.add(
            "generator: given together with target/region/endpoint/credentialsProvider/clock/"
                + "expiry settings (expected one or the other)");
      }
      IamTokenGenerator g = generator;
      if (g == null) {
        try {
          g = generatorBuilder.build();
        } catch (IamConfigurationException e) {
          problems.addAll(e.problems());
        }
      }
      if (g != null
          && safetyMargin != null
          && safetyMargin.multipliedBy(2).compareTo(g.expiry()) >= 0) {
        problems.add(
            "safetyMargin: "
                + safetyMargin
                + " leaves no usable life for tokens that expire after "
                + g.expiry()
                + " (expected less than half the expiry)");
      }
      if (passwordFallback != null) {
        problems.addAll(passwordFallback.problems("passwordFallback"));
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return new IamAuthConfig(this, Objects.requireNonNull(g));
    }

    /** The margin given, else 30 seconds or a tenth of {@code expiry}, whichever is shorter. */
    Duration effectiveSafetyMargin(Duration expiry) {
      if (safetyMargin != null) {
        return safetyMargin;
      }
      Duration tenth = expiry.dividedBy(10);
      return tenth.compareTo(DEFAULT_SAFETY_MARGIN) < 0 ? tenth : DEFAULT_SAFETY_MARGIN;
    }

    private static void positive(List<String> problems, String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        problems.add(name + ": " + d + " is not positive (expected more than zero)");
      }
    }
  }
}
