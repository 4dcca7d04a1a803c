package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.DefaultCredentials;
import io.github.iamauth4j.core.internal.Texts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Mints tokens: a target, a region, a credentials provider and a clock give an {@link AuthToken}.
 * Each {@link #generate()} resolves credentials (which may block on IMDS or STS) and signs; most
 * callers want the caching {@link IamTokenProvider} built on top of it.
 *
 * <pre>{@code
 * IamTokenGenerator generator = IamTokenGenerator.builder()
 *     .target(IamTarget.elastiCache("orders", "app"))
 *     .endpoint("master.orders.abc123.use1.cache.amazonaws.com") // region from the host name
 *     .build();
 * }</pre>
 *
 * <p>The region is, in order: the one {@link Builder#region(String) given}; the one named by the
 * target's host (RDS, DSQL) or the {@link Builder#endpoint(String) endpoint}; the AWS SDK's region
 * chain (AWS_REGION, system property, profile, instance metadata); otherwise {@link #builder()}'s
 * {@code build()} fails with one error listing what was tried.
 */
public final class IamTokenGenerator {
  private final IamTarget target;
  private final String region;
  private final AwsCredentialsProvider credentials;
  private final Clock clock;
  private final Duration expiry;
  private final SigV4Presigner presigner = SigV4Presigner.create();

  private IamTokenGenerator(Builder b, IamTarget target, String region) {
    this.target = target;
    this.region = region;
    this.credentials = b.credentials != null ? b.credentials : DefaultCredentials.provider();
    this.clock = b.clock;
    this.expiry = b.expiry != null ? b.expiry : IamTarget.DEFAULT_EXPIRY;
  }

  /** A builder; {@code target} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** What the tokens authorise. */
  public IamTarget target() {
    return target;
  }

  /** The signing region, resolved when the generator was built. */
  public String region() {
    return region;
  }

  /** The signed expiry of each token (default 15 minutes). */
  public Duration expiry() {
    return expiry;
  }

  /** The clock that stamps tokens. */
  public Clock clock() {
    return clock;
  }

  /**
   * Resolves credentials and signs a token as of the clock's current instant. Blocks while the
   * credentials provider does.
   *
   * @throws TokenUnavailableException naming the target, if credentials cannot be resolved
   */
  public AuthToken generate() {
    return generate(clock.instant());
  }

  /**
   * Resolves credentials and signs a token as of {@code at} (to reproduce a token).
   *
   * @param at the signing instant
   * @throws TokenUnavailableException naming the target, if credentials cannot be resolved
   */
  public AuthToken generate(Instant at) {
    AwsCredentials creds;
    try {
      creds = credentials.resolveCredentials();
    } catch (RuntimeException e) {
      throw new TokenUnavailableException(
          "could not sign a token for " + target.description() + ": " + describe(e), e);
    }
    if (creds == null) {
      throw new TokenUnavailableException(
          "could not sign a token for "
              + target.description()
              + ": the credentials provider returned no credentials",
          null);
    }
    Instant signedAt = Instant.ofEpochSecond(at.getEpochSecond());
    String value = presigner.presign(target, region, creds, signedAt, expiry);
    Instant expiresAt = signedAt.plus(expiry);
    Instant usableUntil = expiresAt;
    Optional<Instant> credsExpire = creds.expirationTime();
    if (credsExpire.isPresent() && credsExpire.get().isBefore(usableUntil)) {
      usableUntil = credsExpire.get();
    }
    return new AuthToken(target, value, signedAt, expiresAt, usableUntil);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    // The credentials chain's message can carry a profile name or path as the user wrote it.
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : Texts.printable(m);
  }

  @Override
  public String toString() {
    return "IamTokenGenerator["
        + target.description()
        + ", region="
        + region
        + ", expiry="
        + expiry
        + "]";
  }

  /** Builds an {@link IamTokenGenerator}. */
  public static final class Builder {
    private @Nullable IamTarget target;
    private @Nullable String region;
    private @Nullable String endpoint;
    private @Nullable AwsCredentialsProvider credentials;
    private Clock clock = Clock.systemUTC();
    private @Nullable Duration expiry;
    private Supplier<@Nullable String> regionChain = Builder::sdkRegionChain;

    private Builder() {}

    /** A copy of this builder's settings. */
    Builder copy() {
      Builder b = new Builder();
      b.target = target;
      b.region = region;
      b.endpoint = endpoint;
      b.credentials = credentials;
      b.clock = clock;
      b.expiry = expiry;
      b.regionChain = regionChain;
      return b;
    }

    /**
     * What the tokens authorise. Required.
     *
     * @param target the target
     */
    public Builder target(IamTarget target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * The signing region, e.g. {@code us-east-1}. Optional: otherwise taken from the host name,
     * then the AWS SDK's region chain.
     *
     * @param region the region name
     */
    public Builder region(@Nullable String region) {
      this.region = region;
      return this;
    }

    /**
     * The endpoint host the client connects to, used only to find the region when none is given
     * (ElastiCache and MemoryDB sign a name, not the endpoint).
     *
     * @param endpointHost e.g. {@code master.orders.abc123.use1.cache.amazonaws.com}
     */
    public Builder endpoint(@Nullable String endpointHost) {
      this.endpoint = endpointHost;
      return this;
    }

    /**
     * Where credentials come from. Default: the AWS SDK's default chain (environment, system
     * properties, web identity, profile, container, instance metadata), built once and shared.
     *
     * @param provider the credentials provider
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentials = Objects.requireNonNull(provider, "credentialsProvider");
      return this;
    }

    /**
     * The clock that stamps tokens. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The signed expiry. Default and maximum 15 minutes (Aurora DSQL: up to 7 days).
     *
     * @param expiry the expiry, at least 1 second
     */
    public Builder expiry(Duration expiry) {
      this.expiry = Objects.requireNonNull(expiry, "expiry");
      return this;
    }

    /** For tests: replaces the AWS SDK region chain (the last resort). */
    Builder regionChain(Supplier<@Nullable String> chain) {
      this.regionChain = chain;
      return this;
    }

    /**
     * Builds the generator, resolving the region.
     *
     * @throws IamConfigurationException listing every problem: no target, an invalid region or
     *     expiry, or no region found (with what was tried)
     */
    public IamTokenGenerator build() {
      List<String> problems = new ArrayList<>();
      if (target == null) {
        problems.add("target: is required (e.g. IamTarget.elastiCache(\"orders\", \"app\"))");
      }
      if (expiry != null) {
        Duration max = target != null ? target.maxExpiry() : IamTarget.DEFAULT_EXPIRY;
        if (expiry.compareTo(Duration.ofSeconds(1)) < 0 || expiry.compareTo(max) > 0) {
          problems.add("expiry: " + expiry + " is out of range (expected 1 second to " + max + ")");
        }
      }
      String resolved = null;
      if (region != null) {
        if (AwsRegions.isValid(region)) {
          resolved = region;
        } else {
          problems.add(
              "region: "
                  + Texts.quoteIfSafe(region)
                  + " is not an AWS region (expected e.g. \"us-east-1\")");
        }
      } else if (target != null) {
        resolved = resolveRegion(target, problems);
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return new IamTokenGenerator(
          this, Objects.requireNonNull(target), Objects.requireNonNull(resolved));
    }

    private @Nullable String resolveRegion(IamTarget t, List<String> problems) {
      Optional<String> fromTarget = t.regionFromHost();
      if (fromTarget.isPresent()) {
        return fromTarget.get();
      }
      if (endpoint != null) {
        Optional<String> fromEndpoint = AwsRegions.fromHost(endpoint);
        if (fromEndpoint.isPresent()) {
          return fromEndpoint.get();
        }
      }
      String chain = null;
      try {
        chain = regionChain.get();
      } catch (RuntimeException e) {
        // Reported below with what else was tried.
      }
      if (chain != null && AwsRegions.isValid(chain)) {
        return chain;
      }
      List<String> tried = new ArrayList<>();
      tried.add("the region setting (not set)");
      if (t.kind() == IamTarget.Kind.RDS || t.kind() == IamTarget.Kind.DSQL) {
        tried.add("the host name " + Texts.quoteIfSafe(t.resource()) + " (names no region)");
      }
      tried.add(
          endpoint == null
              ? "the endpoint setting (not set)"
              : "the endpoint " + Texts.quoteIfSafe(endpoint) + " (names no region)");
      tried.add(
          "the AWS SDK region chain: AWS_REGION, aws.region, profile, instance metadata"
              + (chain == null ? " (found none)" : " (found an invalid one)"));
      problems.add(
          "region: could not be determined for "
              + t.description()
              + "; tried "
              + String.join(", ", tried)
              + ". Set it explicitly, e.g. region(\"us-east-1\")");
      return null;
    }

    private static @Nullable String sdkRegionChain() {
      return new DefaultAwsRegionProviderChain().getRegion().id();
    }
  }
}
