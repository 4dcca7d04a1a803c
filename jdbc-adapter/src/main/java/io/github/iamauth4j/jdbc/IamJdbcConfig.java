package io.github.iamauth4j.jdbc;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTokenProvider;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How the JDBC ways in sign tokens and secure connections. Immutable; {@link #defaults()} suits an
 * app on AWS (region from the host name, the AWS SDK's default credentials chain, 15-minute tokens,
 * TLS with server verification).
 *
 * <p>Two parts: the token provider's settings, given as a core {@link IamAuthConfig.Builder}
 * without a target (the target, host, port and user, is known only per connection), and the JDBC
 * settings of its own: the CA bundle, the plaintext opt-out and the endpoint to sign for.
 *
 * <pre>{@code
 * IamJdbcConfig config = IamJdbcConfig.builder()
 *     .auth(IamAuthConfig.builder()
 *         .region("eu-west-1")                           // else from the host name
 *         .credentialsProvider(ProfileCredentialsProvider.create("app")))
 *     .caBundle(Path.of("/etc/ssl/rds/global-bundle.pem"))
 *     .build();
 * }</pre>
 *
 * <p>The same settings as connection properties or URL parameters (the {@code jdbc:iamauth4j:}
 * driver, the pgjdbc plugin and the aws-advanced-jdbc-wrapper plugin read them): {@value #REGION},
 * {@value #PROFILE}, {@value #CREDENTIALS_PROVIDER}, {@value #TOKEN_EXPIRY}, {@value #CA_BUNDLE},
 * {@value #ALLOW_PLAINTEXT}, {@value #SIGNING_HOST}, {@value #SIGNING_PORT}, and for a migration
 * from passwords {@value #FALLBACK_USER} with {@value #FALLBACK_PASSWORD_ENV} or {@value
 * #FALLBACK_PASSWORD_FILE}, and {@value #FALLBACK_RETRY_IAM_AFTER}.
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

  /**
   * Property: the password user to fall back to while migrating from passwords (see {@link
   * io.github.iamauth4j.core.FallbackPassword}); with {@value #FALLBACK_PASSWORD_ENV} or {@value
   * #FALLBACK_PASSWORD_FILE}. The password itself is never a property or URL parameter.
   */
  public static final String FALLBACK_USER = "iamFallbackUser";

  /** Property: the environment variable holding the fallback user's password. */
  public static final String FALLBACK_PASSWORD_ENV = "iamFallbackPasswordEnv";

  /** Property: the file holding the fallback user's password (e.g. a mounted secret). */
  public static final String FALLBACK_PASSWORD_FILE = "iamFallbackPasswordFile";

  /**
   * Property: how long connections keep to the fallback password after the server refused a token
   * before IAM is tried again; seconds or ISO-8601; default 60 seconds.
   */
  public static final String FALLBACK_RETRY_IAM_AFTER = "iamFallbackRetryIamAfter";

  private final IamAuthConfig.Builder auth;
  private final boolean authGiven;
  private final @Nullable Path caBundle;
  private final boolean allowPlaintextForLocalTesting;
  private final @Nullable String signingHost;
  private final int signingPort;
  private final @Nullable IamTokenProvider tokenProvider;

  private IamJdbcConfig(Builder b) {
    this.auth = b.auth.copy();
    this.authGiven = b.authGiven;
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
    b.auth = auth.copy();
    b.authGiven = authGiven;
    b.caBundle = caBundle;
    b.allowPlaintextForLocalTesting = allowPlaintextForLocalTesting;
    b.signingHost = signingHost;
    b.signingPort = signingPort;
    b.tokenProvider = tokenProvider;
    return b;
  }

  /**
   * A copy of the token provider's settings (without a target); each connection's provider is
   * {@code auth().target(target).build()}.
   */
  public IamAuthConfig.Builder auth() {
    return auth.copy();
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

  @Override
  public String toString() {
    return "IamJdbcConfig["
        + (tokenProvider == null
            ? (authGiven ? "auth=given" : "auth=defaults")
            : "tokenProvider=" + tokenProvider)
        + (caBundle == null ? "" : ", caBundle=" + caBundle)
        + (signingHost == null ? "" : ", signingHost=" + signingHost)
        + (allowPlaintextForLocalTesting ? ", PLAINTEXT ALLOWED (local testing)" : "")
        + "]";
  }

  /** Builds an {@link IamJdbcConfig}. Setters check their argument at once. */
  public static final class Builder {
    private IamAuthConfig.Builder auth = IamAuthConfig.builder();
    private boolean authGiven;
    private @Nullable Path caBundle;
    private boolean allowPlaintextForLocalTesting;
    private @Nullable String signingHost;
    private int signingPort = -1;
    private @Nullable IamTokenProvider tokenProvider;

    private Builder() {}

    /**
     * The token provider's settings: region, credentials provider, clock, token life ({@code
     * expiry}), refresh lead, safety margin, retry backoff, first-token timeout (default 5 s),
     * scheduler, listeners. Leave the target unset: each connection sets its own. The builder is
     * copied; later changes to it are not seen. Default {@link IamAuthConfig#builder()}.
     *
     * @param template the settings, without a target
     */
    public Builder auth(IamAuthConfig.Builder template) {
      this.auth = Objects.requireNonNull(template, "auth").copy();
      this.authGiven = true;
      return this;
    }

    /**
     * A PEM file of CA certificates to trust, e.g. RDS's {@code global-bundle.pem}. Default: the
     * driver's own CA setting (pgjdbc: {@code ~/.postgresql/root.crt}; MySQL and MariaDB: the JVM's
     * trust store). Read when a connection is planned: a missing or non-PEM file fails before a
     * token is signed.
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
            "signingEndpoint port: " + port + " is not a TCP port (expected 1 to 65535, or -1)");
      }
      this.signingHost = host;
      this.signingPort = port;
      return this;
    }

    /**
     * Uses this ready token provider instead of making one (to share it with other code). It must
     * sign for the host, port and user connected to. Not combinable with {@link
     * #auth(IamAuthConfig.Builder)}.
     *
     * @param provider the provider; the caller keeps ownership and closes it
     */
    public Builder tokenProvider(IamTokenProvider provider) {
      this.tokenProvider = Objects.requireNonNull(provider, "tokenProvider");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IamConfigurationException listing every problem
     */
    public IamJdbcConfig build() {
      if (tokenProvider != null && authGiven) {
        throw new IamConfigurationException(
            "tokenProvider: given together with auth (expected one or the other: set the"
                + " settings on the provider's own configuration)");
      }
      return new IamJdbcConfig(this);
    }
  }
}
