package io.github.iamauth4j.testkit.verify;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.ParsedToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Verifies IAM auth tokens the way AWS does for one resource: the signature against trusted
 * credentials (with the core's own SigV4 code), then the service, region, signed host, {@code
 * Action}, user, {@code ResourceType}, session token and expiry.
 *
 * <pre>{@code
 * TokenVerifier verifier = TokenVerifier.builder()
 *     .kind(IamTarget.Kind.ELASTICACHE)
 *     .resource("orders")                 // the cache name the tokens must be signed for
 *     .region("us-east-1")
 *     .trust(TrustedCredentials.example())
 *     .build();
 * Verdict v = verifier.verify("app", token);
 * }</pre>
 *
 * <p>Thread-safe and immutable.
 */
public final class TokenVerifier {
  private final IamTarget.Kind kind;
  private final String expectedHost;
  private final String region;
  private final List<TrustedCredentials> trusted;
  private final Clock clock;
  private final Duration allowedClockSkew;

  private TokenVerifier(Builder b, String expectedHost) {
    this.kind = Objects.requireNonNull(b.kind);
    this.expectedHost = expectedHost;
    this.region = Objects.requireNonNull(b.region);
    this.trusted = List.copyOf(b.trusted);
    this.clock = b.clock;
    this.allowedClockSkew = b.allowedClockSkew;
  }

  /** A builder: kind, resource, region and at least one trusted identity are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The kind of resource the tokens must be for. */
  public IamTarget.Kind kind() {
    return kind;
  }

  /** The signed host tokens must carry (cache name, cluster name, {@code host:port}, host). */
  public String expectedHost() {
    return expectedHost;
  }

  /** The region tokens must be signed for. */
  public String region() {
    return region;
  }

  /** The clock expiry is judged by. */
  public Clock clock() {
    return clock;
  }

  /**
   * Verifies {@code token} presented by {@code user}.
   *
   * @param user the user name presented with the token ({@code AUTH user token}, the startup user
   *     of a database connection)
   * @param token the token presented as the password
   * @return the verdict
   */
  public Verdict verify(String user, String token) {
    ParsedToken t;
    try {
      t = ParsedToken.parse(token);
    } catch (IllegalArgumentException e) {
      return Verdict.rejected(Rejection.MALFORMED, e.getMessage());
    }
    if (!"host".equals(t.signedHeaders())) {
      return Verdict.rejected(Rejection.WRONG_SIGNED_HEADERS, "signed headers are not \"host\"");
    }
    Optional<TrustedCredentials> key =
        trusted.stream().filter(c -> c.accessKeyId().equals(t.accessKeyId())).findFirst();
    if (key.isEmpty()) {
      return Verdict.rejected(
          Rejection.UNKNOWN_ACCESS_KEY, "access key " + t.accessKeyId() + " is not trusted");
    }
    TrustedCredentials creds = key.get();
    if (!t.signatureMatches(creds.secretAccessKey())) {
      return Verdict.rejected(Rejection.BAD_SIGNATURE, "signature does not match");
    }
    if (!kind.signingName().equals(t.service())) {
      return Verdict.rejected(
          Rejection.WRONG_SERVICE,
          "service is " + t.service() + ", expected " + kind.signingName());
    }
    if (!region.equals(t.region())) {
      return Verdict.rejected(
          Rejection.WRONG_REGION, "region is " + t.region() + ", expected " + region);
    }
    if (!expectedHost.equals(t.host())) {
      return Verdict.rejected(
          Rejection.WRONG_HOST, "signed for " + t.host() + ", expected " + expectedHost);
    }
    String expectedAction = expectedAction(user);
    if (!expectedAction.equals(t.action())) {
      return Verdict.rejected(
          Rejection.WRONG_ACTION, "action is " + t.action() + ", expected " + expectedAction);
    }
    Verdict userVerdict = checkUser(user, t);
    if (userVerdict != null) {
      return userVerdict;
    }
    boolean serverless = kind == IamTarget.Kind.ELASTICACHE_SERVERLESS;
    Optional<String> resourceType = t.resourceType();
    if (serverless != resourceType.filter("ServerlessCache"::equals).isPresent()
        || (!serverless && resourceType.isPresent())) {
      return Verdict.rejected(
          Rejection.RESOURCE_TYPE_MISMATCH,
          serverless
              ? "ResourceType=ServerlessCache is required for a serverless cache"
              : "ResourceType is not allowed for " + kind.label());
    }
    if (!creds.sessionToken().equals(t.sessionToken())) {
      return Verdict.rejected(
          Rejection.SESSION_TOKEN_MISMATCH,
          creds.sessionToken().isPresent()
              ? "the trusted session token is missing or different"
              : "a session token is present but the trusted credentials are long-term");
    }
    Instant now = clock.instant();
    Duration max =
        kind == IamTarget.Kind.DSQL ? IamTarget.DSQL_MAX_EXPIRY : IamTarget.DEFAULT_EXPIRY;
    if (t.expiry().compareTo(max) > 0 || t.expiry().isNegative() || t.expiry().isZero()) {
      return Verdict.rejected(
          Rejection.EXPIRY_TOO_LONG, "expiry " + t.expiry() + " is not within 1 s to " + max);
    }
    if (t.signedAt().isAfter(now.plus(allowedClockSkew))) {
      return Verdict.rejected(
          Rejection.NOT_YET_VALID,
          "signed at " + t.signedAt() + ", after now " + now + " plus skew " + allowedClockSkew);
    }
    if (!now.isBefore(t.expiresAt())) {
      return Verdict.rejected(Rejection.EXPIRED, "expired at " + t.expiresAt() + ", now " + now);
    }
    Optional<Instant> credsEnd = creds.expiration();
    if (credsEnd.isPresent() && !now.isBefore(credsEnd.get())) {
      return Verdict.rejected(
          Rejection.CREDENTIALS_EXPIRED,
          "the signing session ended at " + credsEnd.get() + ", now " + now);
    }
    return Verdict.accepted();
  }

  private String expectedAction(String user) {
    if (kind == IamTarget.Kind.DSQL) {
      return "admin".equals(user) ? "DbConnectAdmin" : "DbConnect";
    }
    return "connect";
  }

  private @Nullable Verdict checkUser(String user, ParsedToken t) {
    switch (kind) {
      case ELASTICACHE:
      case ELASTICACHE_SERVERLESS:
      case MEMORYDB:
        {
          String signed = t.parameters().get("User");
          boolean ok =
              signed != null
                  && (kind == IamTarget.Kind.MEMORYDB
                      ? signed.equals(user)
                      : signed.equals(user.toLowerCase(Locale.ROOT)));
          return ok
              ? null
              : Verdict.rejected(Rejection.WRONG_USER, "User parameter does not match the user");
        }
      case RDS:
        {
          String signed = t.parameters().get("DBUser");
          return user.equals(signed)
              ? null
              : Verdict.rejected(Rejection.WRONG_USER, "DBUser parameter does not match the user");
        }
      default:
        return null;
    }
  }

  @Override
  public String toString() {
    return "TokenVerifier["
        + kind.label()
        + " "
        + expectedHost
        + ", region "
        + region
        + ", trusting "
        + trusted
        + "]";
  }

  /** Builds a {@link TokenVerifier}. */
  public static final class Builder {
    private IamTarget.@Nullable Kind kind;
    private @Nullable String resource;
    private int port = -1;
    private @Nullable String region;
    private final List<TrustedCredentials> trusted = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Duration allowedClockSkew = Duration.ofMinutes(5);

    private Builder() {}

    /**
     * The kind of resource. Required.
     *
     * @param kind e.g. {@link IamTarget.Kind#ELASTICACHE}
     */
    public Builder kind(IamTarget.Kind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /**
     * The resource tokens must be signed for: the cache or cluster name (ElastiCache names are
     * compared lowercase), or the endpoint host (RDS, DSQL). Required.
     *
     * @param resource the name or host
     */
    public Builder resource(String resource) {
      this.resource = Objects.requireNonNull(resource, "resource");
      return this;
    }

    /**
     * The endpoint port, for RDS (tokens are signed for {@code host:port}).
     *
     * @param port the port the clients connect to
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * The region tokens must be signed for. Required.
     *
     * @param region e.g. {@code us-east-1}
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Trusts tokens signed with these credentials. At least one is required.
     *
     * @param credentials the identity
     */
    public Builder trust(TrustedCredentials credentials) {
      this.trusted.add(Objects.requireNonNull(credentials, "credentials"));
      return this;
    }

    /**
     * The clock expiry is judged by. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How far in the future a token's signing time may be. Default 5 minutes.
     *
     * @param skew the skew, zero or more
     */
    public Builder allowedClockSkew(Duration skew) {
      this.allowedClockSkew = Objects.requireNonNull(skew, "allowedClockSkew");
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @throws IamConfigurationException listing every missing or invalid setting
     */
    public TokenVerifier build() {
      List<String> problems = new ArrayList<>();
      if (kind == null) {
        problems.add("kind: is required (e.g. IamTarget.Kind.ELASTICACHE)");
      }
      if (resource == null || resource.isEmpty()) {
        problems.add("resource: is required (the cache or cluster name, or the endpoint host)");
      }
      if (region == null) {
        problems.add("region: is required (e.g. \"us-east-1\")");
      }
      if (trusted.isEmpty()) {
        problems.add(
            "trust: at least one identity is required (e.g. TrustedCredentials.example())");
      }
      if (kind == IamTarget.Kind.RDS && (port < 1 || port > 65535)) {
        problems.add("port: " + port + " is required for RDS (expected 1 to 65535)");
      }
      if (allowedClockSkew.isNegative()) {
        problems.add("allowedClockSkew: " + allowedClockSkew + " is negative");
      }
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      String r = Objects.requireNonNull(resource);
      String host;
      switch (Objects.requireNonNull(kind)) {
        case ELASTICACHE:
        case ELASTICACHE_SERVERLESS:
          host = r.toLowerCase(Locale.ROOT);
          break;
        case RDS:
          host = r.toLowerCase(Locale.ROOT) + ":" + port;
          break;
        case DSQL:
          host = r.toLowerCase(Locale.ROOT);
          break;
        default:
          host = r;
      }
      return new TokenVerifier(this, host);
    }
  }
}
