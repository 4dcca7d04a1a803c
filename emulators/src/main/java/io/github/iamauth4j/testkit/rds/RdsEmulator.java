package io.github.iamauth4j.testkit.rds;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.net.EmulatorServer;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.TokenVerifier;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every RDS emulator shares: the endpoint tokens are signed for, the region, the trusted
 * credentials, the TLS material, the real server behind it, and the {@link TokenVerifier} that
 * judges tokens as RDS does. The protocol of each engine is in {@link RdsPostgresEmulator} and
 * {@link RdsMySqlEmulator}; only this package can add one.
 */
public abstract class RdsEmulator extends EmulatorServer {
  private static final Logger log = LoggerFactory.getLogger(RdsEmulator.class);
  private final String displayName;
  final String backendHost;
  final int backendPort;
  final String adminUser;
  final String adminPassword;
  final String endpointHost;
  final String region;
  final List<TrustedCredentials> trusted;
  final Duration allowedClockSkew;
  final TlsMaterial tls;
  final SSLContext serverContext;
  final Duration backendConnectTimeout;
  final Duration handshakeTimeout;
  final RdsUsers users;
  private volatile @Nullable TokenVerifier verifier;

  /**
   * @param name a short name for threads and logs, e.g. {@code rds-postgres}
   * @param displayName what {@link #toString()} calls it, e.g. {@code RDS PostgreSQL}
   * @param s the checked settings (every required one present)
   */
  RdsEmulator(String name, String displayName, Settings s) {
    super(name, s.port, s.clock);
    this.displayName = displayName;
    this.backendHost = Objects.requireNonNull(s.backendHost);
    this.backendPort = s.backendPort;
    this.adminUser = Objects.requireNonNull(s.adminUser);
    this.adminPassword = Objects.requireNonNull(s.adminPassword);
    this.endpointHost = s.endpointHost;
    this.region = s.region;
    this.trusted = s.trustedOrExample();
    this.allowedClockSkew = s.allowedClockSkew;
    this.tls = s.tlsOrLocalhost();
    this.serverContext = tls.serverContext();
    this.backendConnectTimeout = s.backendConnectTimeout;
    this.handshakeTimeout = s.handshakeTimeout;
    this.users = new RdsUsers(s.iamUsers, s.passwordUsers);
  }

  /**
   * The counters under AWS's names: {@code AuthenticationFailures} (failed token and password
   * logins) and the successful IAM and password logins; RDS has no connection limit or
   * authentication throttling here, so those two are 0.
   */
  public AuthMetrics metrics() {
    return stats().metrics();
  }

  /**
   * Grants {@code user} IAM at once (as {@code GRANT rds_iam} on PostgreSQL, or {@code IDENTIFIED
   * WITH AWSAuthenticationPlugin} on MySQL): from its next login it must present a token, and a
   * password user's own password is refused.
   *
   * @param user the database user
   */
  public void addIamUser(String user) {
    users.grantIam(Settings.userName("user", user));
    log.info("{}: IAM granted to user \"{}\"", displayName, user);
  }

  /**
   * Revokes IAM from {@code user} at once (as {@code REVOKE rds_iam}): from its next login a token
   * is refused as RDS refuses it ({@code FATAL: PAM authentication failed for user "<user>"} on
   * PostgreSQL; error 1045 {@code Access denied for user '<user>'@'<host>' (using password: YES)}
   * on MySQL), and a password user logs in with its password again. Open connections stay.
   *
   * @param user the database user
   */
  public void removeIamUser(String user) {
    users.revokeIam(Settings.userName("user", user));
    log.info("{}: IAM revoked from user \"{}\"", displayName, user);
  }

  /**
   * Makes {@code user} a password user at once: it logs in with this password, which the real
   * server judges (the emulator sets it on the server's user at its next login), unless it is also
   * granted IAM.
   *
   * @param user the database user, not the backend admin
   * @param password its password; never logged or shown
   * @throws IllegalArgumentException if the user is the backend admin or the password is empty
   */
  public void addPasswordUser(String user, String password) {
    Settings.userName("user", user);
    Objects.requireNonNull(password, "password");
    if (password.isEmpty() || user.equals(adminUser)) {
      throw new IllegalArgumentException(
          "passwordUser: \""
              + user
              + "\" cannot be a password user here (not the backend admin, and a non-empty"
              + " password)");
    }
    users.setPassword(user, password);
    log.info("{}: password user \"{}\" set", displayName, user);
  }

  /**
   * Takes the password away from {@code user} at once: unless granted IAM, its logins are refused.
   *
   * @param user the database user
   */
  public void removePasswordUser(String user) {
    users.removePassword(Settings.userName("user", user));
    log.info("{}: password user \"{}\" removed", displayName, user);
  }

  /** Users explicitly granted IAM; every user not otherwise configured may use a token too. */
  public Set<String> iamUsers() {
    return users.iamUsers();
  }

  /** Users that log in with their own password now (not granted IAM). Never the passwords. */
  public Set<String> passwordUsers() {
    return users.passwordUsers();
  }

  /** Users that may not log in with a token: IAM revoked, or password users. */
  public Set<String> iamRevokedUsers() {
    return users.iamRevoked();
  }

  /**
   * The host name tokens must be signed for, and clients connect to: {@code localhost} by default.
   */
  public String endpointHost() {
    return endpointHost;
  }

  /** The region tokens must be signed for. */
  public String region() {
    return region;
  }

  /** The credentials whose tokens are trusted (their {@code toString()} shows no secret). */
  public List<TrustedCredentials> trustedCredentials() {
    return trusted;
  }

  /** The TLS material: clients trust its CA. */
  public TlsMaterial tls() {
    return tls;
  }

  /**
   * The CA certificate clients must trust, as a PEM file (e.g. libpq's {@code sslrootcert=}, the
   * mariadb client's {@code --ssl-ca=}).
   */
  public Path caPemFile() {
    return tls.caPemFile();
  }

  /** The real server's host. */
  public String backendHost() {
    return backendHost;
  }

  /** The real server's port. */
  public int backendPort() {
    return backendPort;
  }

  /**
   * The IAM target a client signs tokens for to log in here as {@code user}: {@code
   * rds(endpointHost(), port(), user)}.
   *
   * @param user the database user
   * @return the target
   */
  public IamTarget target(String user) {
    return IamTarget.rds(endpointHost, port(), user);
  }

  /**
   * The verifier tokens are judged by (available once started).
   *
   * @return the verifier for {@code <endpoint host>:<port>}
   */
  public TokenVerifier verifier() {
    TokenVerifier v = verifier;
    if (v == null) {
      synchronized (this) {
        v = verifier;
        if (v == null) {
          TokenVerifier.Builder b =
              TokenVerifier.builder()
                  .kind(IamTarget.Kind.RDS)
                  .resource(endpointHost)
                  .port(port())
                  .region(region)
                  .clock(clock())
                  .allowedClockSkew(allowedClockSkew);
          trusted.forEach(b::trust);
          v = b.build();
          verifier = v;
        }
      }
    }
    return v;
  }

  /** Describes the endpoint, the CA file to trust, the region and the backend; no secrets. */
  @Override
  public String toString() {
    return displayName
        + " emulator on "
        + endpointHost
        + ":"
        + port()
        + " (TLS only; trust the CA in "
        + caPemFile()
        + "; tokens for "
        + endpointHost
        + ":"
        + port()
        + " in "
        + region
        + ", trusting "
        + trusted
        + ") in front of "
        + backendHost
        + ":"
        + backendPort
        + (users.isConfigured() ? "; " + users : "");
  }

  /**
   * The settings every RDS emulator's builder takes. Setters check their argument at once; {@link
   * #start()} reports every missing setting together.
   *
   * @param <B> the concrete builder, returned by every setter
   * @param <E> the emulator it starts
   */
  public abstract static class Builder<B extends Builder<B, E>, E extends RdsEmulator> {
    final Settings s = new Settings();

    Builder() {}

    /** This builder as its concrete type. */
    abstract B self();

    /**
     * The real server. Required.
     *
     * @param host its host, e.g. {@code 127.0.0.1}
     * @param port its port
     * @return this builder
     * @throws IllegalArgumentException if the host is blank or the port is not 1 to 65535
     */
    public B backend(String host, int port) {
      s.backend(host, port);
      return self();
    }

    /**
     * An account of the real server that may create users (roles) and grant privileges, used to
     * provision the users clients log in as. Required.
     *
     * @param user the user (role) name
     * @param password its password (never logged)
     * @return this builder
     */
    public B backendAdmin(String user, String password) {
      s.backendAdmin(user, password);
      return self();
    }

    /**
     * A user granted IAM (as {@code rds_iam} on PostgreSQL): it logs in with a token only, even if
     * it is also a {@link #passwordUser(String, String) password user}. Every user not configured
     * otherwise may log in with a token anyway; name a user here to take its password away, as RDS
     * for PostgreSQL does for members of {@code rds_iam}.
     *
     * @param user the database user
     * @return this builder
     * @throws IllegalArgumentException if the name is empty
     */
    public B iamUser(String user) {
      s.iamUser(user);
      return self();
    }

    /**
     * A user that logs in with its own password, judged by the real server, beside the IAM users
     * (e.g. the old application user during a migration to IAM). The emulator creates the user on
     * the real server, or sets its password, at its first login. Unless also {@link
     * #iamUser(String) granted IAM}, a token for it is refused.
     *
     * @param user the database user, not the backend admin
     * @param password its password; never logged or shown
     * @return this builder
     * @throws IllegalArgumentException if the name or the password is empty
     */
    public B passwordUser(String user, String password) {
      s.passwordUser(user, password);
      return self();
    }

    /**
     * The host name clients connect to and sign tokens for (tokens are signed for {@code
     * <host>:<emulator port>}). It must be a name the TLS certificate is valid for. Default {@code
     * localhost}.
     *
     * @param host a host name without port
     * @return this builder
     */
    public B endpointHost(String host) {
      s.endpointHost(host);
      return self();
    }

    /**
     * The region tokens must be signed for. Default {@code us-east-1}.
     *
     * @param region an AWS region, e.g. {@code eu-west-1}
     * @return this builder
     * @throws IllegalArgumentException if it is not an AWS region
     */
    public B region(String region) {
      s.region(region);
      return self();
    }

    /**
     * Trusts tokens signed with these credentials; may be called several times. Default (when never
     * called): {@link TrustedCredentials#example()}.
     *
     * @param credentials the test identity
     * @return this builder
     */
    public B trust(TrustedCredentials credentials) {
      s.trust(credentials);
      return self();
    }

    /**
     * The clock token expiry and fault windows are judged by. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public B clock(Clock clock) {
      s.clock(clock);
      return self();
    }

    /**
     * How far in the future a token's signing time may be. Default 5 minutes.
     *
     * @param skew zero or more
     * @return this builder
     */
    public B allowedClockSkew(Duration skew) {
      s.allowedClockSkew(skew);
      return self();
    }

    /**
     * The TLS certificate and CA. Default {@link TlsMaterial#localhost()}.
     *
     * @param tls the material
     * @return this builder
     */
    public B tls(TlsMaterial tls) {
      s.tls(tls);
      return self();
    }

    /**
     * The port to listen on ({@code 127.0.0.1}). Default 0: a free port.
     *
     * @param port 0, or 1 to 65535
     * @return this builder
     */
    public B port(int port) {
      s.port(port);
      return self();
    }

    /**
     * How long connecting and authenticating to the real server may take. Default 10 seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public B backendConnectTimeout(Duration timeout) {
      s.backendConnectTimeout(timeout);
      return self();
    }

    /**
     * How long a client may take from connecting to sending its token. Default 30 seconds.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public B handshakeTimeout(Duration timeout) {
      s.handshakeTimeout(timeout);
      return self();
    }

    /**
     * Starts the emulator: listens on {@code 127.0.0.1} and serves each connection on its own
     * thread.
     *
     * @return the running emulator; close it to stop
     * @throws IamConfigurationException listing every missing setting
     * @throws UncheckedIOException if the port cannot be bound
     */
    public abstract E start();

    /**
     * Checks the settings, creates the emulator, starts listening and prepares its verifier.
     *
     * @param create makes the emulator from checked settings
     * @return the listening emulator
     * @throws IamConfigurationException listing every missing setting
     */
    final E startWith(Function<Settings, E> create) {
      List<String> problems = s.problems();
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      E e = create.apply(s);
      e.startListening();
      e.verifier();
      return e;
    }
  }
}
