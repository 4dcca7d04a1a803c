package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.RefreshScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How the JDBC ways in sign tokens and secure connections: region, credentials, token life, the CA
 * bundle and the plaintext opt-out. Immutable; {@link #defaults()} suits an app on AWS (region from
 * the host name, the AWS SDK's default credentials chain, 15-minute tokens, TLS with server
 * verification).
 *
 * <pre>{@code
 * IamJdbcConfig config = IamJdbcConfig.builder()
 *     .region("eu-west-1")                               // else from the host name
 *     .caBundle(Path.of("/etc/ssl/rds/global-bundle.pem"))
 *     .build();
 * }</pre>
 *
 * <p>The same settings as connection properties or URL parameters (the {@code jdbc:iamauth4j:}
 * driver, the pgjdbc plugin and the aws-advanced-jdbc-wrapper plugin read them): {@value #REGION},
 * {@value #PROFILE}, {@value #CREDENTIALS_PROVIDER}, {@value #TOKEN_EXPIRY}, {@value #CA_BUNDLE},
 * {@value #ALLOW_PLAINTEXT}, {@value #SIGNING_HOST} and {@value #SIGNING_PORT}.
 */
public final class IamJdbcConfig {
  /** Property: the signing region, e.g. {@code us-east-1}. Default: from the host name. */
  public static final String REGION = "iamRegion";

  /** Property: an AWS profile name to take credentials from (default: the default chain). */
  public static final String PROFILE = "iamProfile";

  /**
   * Property: the class name of an {@link AwsCredentialsProvider}, made with its static {@code
   * create()} method or its public no-argument constructor.
   */
  public static final String CREDENTIALS_PROVIDER = "iamCredentialsProvider";

  /**
   * Property: the signed token life, in seconds or ISO-8601 ({@code PT15M}); default and maximum 15
   * minutes (Aurora DSQL: up to 7 days).
   */
  public static final String TOKEN_EXPIRY = "iamTokenExpiry";

  /**
   * Property: a PEM file of CA certificates to trust (e.g. RDS's {@code global-bundle.pem}); it
   * becomes pgjdbc's {@code sslrootcert}, MariaDB's {@code serverSslCert} or a trust store for
   * MySQL Connector/J.
   */
  public static final String CA_BUNDLE = "iamCaBundle";

  /**
   * Property: {@code true} lets tokens go to a server without TLS. Only for a local test server:
   * the token is a password sent in clear.
   */
  public static final String ALLOW_PLAINTEXT = "iamAllowPlaintextForLocalTesting";

  /**
   * Property: sign tokens for this host instead of the one connected to (an SSH tunnel or port
   * forward to an RDS endpoint).
   */
  public static final String SIGNING_HOST = "iamHost";

  /** Property: sign tokens for this port instead of the one connected to. */
  public static final String SIGNING_PORT = "iamPort";

  private static final Set<String> PROPERTY_NAMES =
      Set.of(
          REGION.toLowerCase(Locale.ROOT),
          PROFILE.toLowerCase(Locale.ROOT),
          CREDENTIALS_PROVIDER.toLowerCase(Locale.ROOT),
          TOKEN_EXPIRY.toLowerCase(Locale.ROOT),
          CA_BUNDLE.toLowerCase(Locale.ROOT),
          ALLOW_PLAINTEXT.toLowerCase(Locale.ROOT),
          SIGNING_HOST.toLowerCase(Locale.ROOT),
          SIGNING_PORT.toLowerCase(Locale.ROOT));

  private final @Nullable String region;
  private final @Nullable AwsCredentialsProvider credentialsProvider;
  private final @Nullable Duration tokenExpiry;
  private final @Nullable Duration refreshBeforeExpiry;
  private final @Nullable Duration safetyMargin;
  private final @Nullable Duration retryMin;
  private final @Nullable Duration retryMax;
  private final Clock clock;
  private final @Nullable RefreshScheduler scheduler;
  private final List<IamAuthListener> listeners;
  private final @Nullable Path caBundle;
  private final boolean allowPlaintextForLocalTesting;
  private final @Nullable String signingHost;
  private final int signingPort;
  private final @Nullable IamTokenProvider tokenProvider;

  private IamJdbcConfig(Builder b) {
    this.region = b.region;
    this.credentialsProvider = b.credentialsProvider;
    this.tokenExpiry = b.tokenExpiry;
    this.refreshBeforeExpiry = b.refreshBeforeExpiry;
    this.safetyMargin = b.safetyMargin;
    this.retryMin = b.retryMin;
    this.retryMax = b.retryMax;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.listeners = List.copyOf(b.listeners);
    this.caBundle = b.caBundle;
    this.allowPlaintextForLocalTesting = b.allowPlaintextForLocalTesting;
    this.signingHost = b.signingHost;
    this.signingPort = b.signingPort;
    this.tokenProvider = b.tokenProvider;
  }

  /** The defaults: region from the host name, default credentials chain, TLS verify-full. */
  public static IamJdbcConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.region = region;
    b.credentialsProvider = credentialsProvider;
    b.tokenExpiry = tokenExpiry;
    b.refreshBeforeExpiry = refreshBeforeExpiry;
    b.safetyMargin = safetyMargin;
    b.retryMin = retryMin;
    b.retryMax = retryMax;
    b.clock = clock;
    b.scheduler = scheduler;
    b.listeners.addAll(listeners);
    b.caBundle = caBundle;
    b.allowPlaintextForLocalTesting = allowPlaintextForLocalTesting;
    b.signingHost = signingHost;
    b.signingPort = signingPort;
    b.tokenProvider = tokenProvider;
    return b;
  }

  /**
   * Whether {@code name} is one of the iamauth4j connection properties (ignoring case); they are
   * removed before the real driver sees the properties.
   *
   * @param name a property or URL parameter name
   */
  public static boolean isIamProperty(String name) {
    return PROPERTY_NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /** The signing region, or null to take it from the host name, then the AWS SDK's chain. */
  public @Nullable String region() {
    return region;
  }

  /** The credentials provider, or null for the AWS SDK's default chain. */
  public @Nullable AwsCredentialsProvider credentialsProvider() {
    return credentialsProvider;
  }

  /** The signed token life, or null for the default (15 minutes). */
  public @Nullable Duration tokenExpiry() {
    return tokenExpiry;
  }

  /** The PEM file of CA certificates to trust, or null for the driver's own setting. */
  public @Nullable Path caBundle() {
    return caBundle;
  }

  /** Whether tokens may go to a server without TLS (local tests only). */
  public boolean allowPlaintextForLocalTesting() {
    return allowPlaintextForLocalTesting;
  }

  /** The host to sign for instead of the one connected to, or null. */
  public @Nullable String signingHost() {
    return signingHost;
  }

  /** The port to sign for instead of the one connected to, or -1. */
  public int signingPort() {
    return signingPort;
  }

  /** The ready token provider given to the builder, or null. */
  public @Nullable IamTokenProvider tokenProvider() {
    return tokenProvider;
  }

  /** The listeners given to the builder. */
  public List<IamAuthListener> listeners() {
    return listeners;
  }

  /**
   * A token provider for {@code target} with these settings: the one {@linkplain
   * Builder#tokenProvider(IamTokenProvider) given} (which must sign for {@code target}), or a new
   * one. The caller owns a new provider and closes it.
   *
   * @param target what the tokens must authorise
   * @throws IamConfigurationException naming the setting: no region found, a given provider that
   *     signs for another target, an out-of-range duration
   */
  public IamTokenProvider tokenProviderFor(IamTarget target) {
    IamTokenProvider given = tokenProvider;
    if (given != null) {
      if (!given.target().equals(target)) {
        throw new IamConfigurationException(
            "tokenProvider: signs for "
                + given.target().description()
                + " but the connection is to "
                + target.description()
                + " (expected a provider for the host, port and user connected to)");
      }
      return given;
    }
    Duration expiry = tokenExpiry != null ? tokenExpiry : IamTarget.DEFAULT_EXPIRY;
    IamTokenProvider.Builder b =
        IamTokenProvider.builder().target(target).clock(clock).expiry(expiry);
    if (region != null) {
      b.region(region);
    }
    if (credentialsProvider != null) {
      b.credentialsProvider(credentialsProvider);
    }
    // Unset, the core picks 30 seconds or a tenth of a short token life.
    if (safetyMargin != null) {
      b.safetyMargin(safetyMargin);
    }
    if (refreshBeforeExpiry != null) {
      b.refreshBeforeExpiry(refreshBeforeExpiry);
    }
    if (retryMin != null && retryMax != null) {
      b.retryBackoff(retryMin, retryMax);
    }
    if (scheduler != null) {
      b.scheduler(scheduler);
    }
    listeners.forEach(b::listener);
    try {
      return b.build();
    } catch (IamConfigurationException e) {
      List<String> problems = new ArrayList<>(e.problems());
      if (problems.stream().anyMatch(p -> p.startsWith("region:"))) {
        problems.add(
            REGION
                + ": set it when the host name names no region (connection property or URL"
                + " parameter iamRegion=us-east-1, or IamJdbcConfig.builder().region(\"us-east-1\"))");
      }
      IamConfigurationException x = new IamConfigurationException(problems);
      x.initCause(e);
      throw x;
    }
  }

  @Override
  public String toString() {
    return "IamJdbcConfig[region="
        + (region == null ? "from host" : region)
        + ", credentials="
        + (credentialsProvider == null ? "default chain" : credentialsProvider.getClass().getName())
        + ", tokenExpiry="
        + (tokenExpiry == null ? IamTarget.DEFAULT_EXPIRY : tokenExpiry)
        + (caBundle == null ? "" : ", caBundle=" + caBundle)
        + (allowPlaintextForLocalTesting ? ", PLAINTEXT ALLOWED (local testing)" : "")
        + (tokenProvider == null ? "" : ", tokenProvider=" + tokenProvider)
        + "]";
  }

  /** Builds an {@link IamJdbcConfig}. Setters check their argument at once. */
  public static final class Builder {
    private @Nullable String region;
    private @Nullable AwsCredentialsProvider credentialsProvider;
    private @Nullable Duration tokenExpiry;
    private @Nullable Duration refreshBeforeExpiry;
    private @Nullable Duration safetyMargin;
    private @Nullable Duration retryMin;
    private @Nullable Duration retryMax;
    private Clock clock = Clock.systemUTC();
    private @Nullable RefreshScheduler scheduler;
    private final List<IamAuthListener> listeners = new ArrayList<>();
    private @Nullable Path caBundle;
    private boolean allowPlaintextForLocalTesting;
    private @Nullable String signingHost;
    private int signingPort = -1;
    private @Nullable IamTokenProvider tokenProvider;

    private Builder() {}

    /**
     * The signing region. Default: named by the host (RDS and DSQL endpoints), else the AWS SDK's
     * region chain.
     *
     * @param region e.g. {@code eu-west-1}, or null for the default
     */
    public Builder region(@Nullable String region) {
      this.region = region;
      return this;
    }

    /**
     * Where credentials come from. Default: the AWS SDK's default chain.
     *
     * @param provider the credentials provider
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentialsProvider = Objects.requireNonNull(provider, "credentialsProvider");
      return this;
    }

    /**
     * The signed token life. Default and maximum 15 minutes (Aurora DSQL: up to 7 days).
     *
     * @param expiry at least 1 second
     */
    public Builder tokenExpiry(Duration expiry) {
      this.tokenExpiry = positive("tokenExpiry", expiry);
      return this;
    }

    /**
     * How long before a token becomes unusable to replace it. Default 7.5 minutes, never more than
     * half its life.
     *
     * @param before more than zero
     */
    public Builder refreshBeforeExpiry(Duration before) {
      this.refreshBeforeExpiry = positive("refreshBeforeExpiry", before);
      return this;
    }

    /**
     * The least life a token must have left to be used. Default 30 seconds, or a tenth of the token
     * life if that is shorter.
     *
     * @param margin zero or more
     */
    public Builder safetyMargin(Duration margin) {
      Objects.requireNonNull(margin, "safetyMargin");
      if (margin.isNegative()) {
        throw new IamConfigurationException(
            "safetyMargin: " + margin + " is negative (expected zero or more)");
      }
      this.safetyMargin = margin;
      return this;
    }

    /**
     * The backoff between failed token refreshes. Default 1 to 30 seconds.
     *
     * @param min the first delay, more than zero
     * @param max the largest delay, at least {@code min}
     */
    public Builder retryBackoff(Duration min, Duration max) {
      positive("retryBackoff min", min);
      positive("retryBackoff max", max);
      if (max.compareTo(min) < 0) {
        throw new IamConfigurationException(
            "retryBackoff: max " + max + " is less than min " + min);
      }
      this.retryMin = min;
      this.retryMax = max;
      return this;
    }

    /**
     * The clock tokens are stamped and judged by. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where token refreshes run. Default {@link RefreshScheduler#shared()}.
     *
     * @param scheduler the scheduler
     */
    public Builder scheduler(RefreshScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Adds a listener for token events (issued, refresh failed).
     *
     * @param listener the listener
     */
    public Builder listener(IamAuthListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * A PEM file of CA certificates to trust, e.g. RDS's {@code global-bundle.pem}. Default: the
     * driver's own CA setting (pgjdbc: {@code ~/.postgresql/root.crt}; MySQL and MariaDB: the JVM's
     * trust store).
     *
     * @param pemFile the bundle
     */
    public Builder caBundle(Path pemFile) {
      this.caBundle = Objects.requireNonNull(pemFile, "caBundle");
      return this;
    }

    /**
     * Lets tokens go to a server without TLS. Only for a local test server: a token is a password
     * sent in clear, readable by anyone on the path. Default false.
     *
     * @param allow true to allow plaintext
     */
    public Builder allowPlaintextForLocalTesting(boolean allow) {
      this.allowPlaintextForLocalTesting = allow;
      return this;
    }

    /**
     * Signs tokens for this endpoint instead of the one connected to: for an SSH tunnel or port
     * forward that reaches an RDS endpoint through {@code localhost}.
     *
     * @param host the RDS endpoint host
     * @param port its port, or -1 to keep the port connected to
     */
    public Builder signingEndpoint(String host, int port) {
      Objects.requireNonNull(host, "signingHost");
      if (port != -1 && (port < 1 || port > 65535)) {
        throw new IamConfigurationException(
            "signingPort: " + port + " is not a TCP port (expected 1 to 65535, or -1)");
      }
      this.signingHost = host;
      this.signingPort = port;
      return this;
    }

    /**
     * Uses this ready token provider instead of making one (to share it, or to configure what these
     * settings do not cover). It must sign for the host, port and user connected to. Not combinable
     * with region, credentials, token life, refresh, margin, backoff, clock, scheduler and listener
     * settings.
     *
     * @param provider the provider; the caller keeps ownership and closes it
     */
    public Builder tokenProvider(IamTokenProvider provider) {
      this.tokenProvider = Objects.requireNonNull(provider, "tokenProvider");
      return this;
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IamConfigurationException(
            name + ": " + d + " is not positive (expected more than zero)");
      }
      return d;
    }

    /**
     * Builds the configuration.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamJdbcConfig build() {
      List<String> problems = new ArrayList<>();
      if (tokenProvider != null) {
        List<String> clash = new ArrayList<>();
        if (region != null) {
          clash.add("region");
        }
        if (credentialsProvider != null) {
          clash.add("credentialsProvider");
        }
        if (tokenExpiry != null) {
          clash.add("tokenExpiry");
        }
        if (refreshBeforeExpiry != null) {
          clash.add("refreshBeforeExpiry");
        }
        if (safetyMargin != null) {
          clash.add("safetyMargin");
        }
        if (retryMin != null) {
          clash.add("retryBackoff");
        }
        if (scheduler != null) {
          clash.add("scheduler");
        }
        if (!listeners.isEmpty()) {
          clash.add("listener");
        }
        if (!clock.equals(Clock.systemUTC())) {
          clash.add("clock");
        }
        if (!clash.isEmpty()) {
          problems.add(
              "tokenProvider: given together with "
                  + String.join(", ", clash)
                  + " (expected one or the other: set them on the provider's own builder)");
        }
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return new IamJdbcConfig(this);
    }
  }
}
