package io.github.iamauth4j.testkit.redis;

import io.github.iamauth4j.core.AwsRegions;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.IamTokenGenerator;
import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.net.ClientConnection;
import io.github.iamauth4j.testkit.net.EmulatorServer;
import io.github.iamauth4j.testkit.tls.TlsMaterial;
import io.github.iamauth4j.testkit.verify.TokenVerifier;
import io.github.iamauth4j.testkit.verify.TrustedCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for the IAM authentication of an ElastiCache replication group, an ElastiCache
 * Serverless cache or a MemoryDB cluster, in front of a real Redis (6 or later) or Valkey server.
 *
 * <pre>{@code
 * try (ElastiCacheEmulator cache =
 *     ElastiCacheEmulator.builder()
 *         .backend("127.0.0.1", 6380)               // a Redis you run, plaintext
 *         .backendAdmin("admin", "admin-password")  // needs +@all
 *         .cacheName("orders")
 *         .region("us-east-1")
 *         .trust(TrustedCredentials.example())      // what tokens must be signed with
 *         .start()) {
 *   String token = cache.tokenGenerator("app").generate().value();
 *   // redis-cli --tls --cacert <cache.tls().caPemFile()> -p <cache.port()> --user app --pass <token>
 *   System.out.println(cache.describe());
 * }
 * }</pre>
 *
 * <p>What it does, as the AWS service does:
 *
 * <ul>
 *   <li>TLS from the first byte (in-transit encryption); a plaintext client fails its handshake.
 *   <li>Before authentication every command gets the backend's own {@code NOAUTH}: at start the
 *       emulator disables the backend's {@code default} user (and re-enables it on {@link
 *       #close()}).
 *   <li>{@code AUTH user token} and {@code HELLO 2|3 AUTH user token [SETNAME name]} are verified
 *       with a {@link TokenVerifier}: signature against the trusted credentials, expiry and clock
 *       skew, service, region, cache name, {@code Action}, user and {@code ResourceType} (present
 *       exactly for serverless). A valid token is forwarded as the backend ACL user of the same
 *       name, whose password is a secret only the emulator knows (it creates the user on first
 *       use), so {@code ACL WHOAMI} and {@code CLIENT LIST} show the IAM user. An invalid one is
 *       forwarded with a wrong password, so the backend itself answers {@code WRONGPASS}, in order
 *       with any pipelined commands. {@code AUTH token} (the default user) is rejected likewise.
 *   <li>A connection is closed once the {@link Builder#connectionLimit(Duration) connection limit}
 *       has passed since its last successful authentication (12 hours, as on AWS); a
 *       re-authentication on the live connection extends it.
 *   <li>{@code AUTH} or {@code HELLO … AUTH} inside {@code MULTI} is refused with an error in order
 *       (the backend answers an unknown command, {@code AUTH-inside-MULTI-is-not-allowed}, so the
 *       following {@code EXEC} fails with {@code EXECABORT}), as ElastiCache forbids it.
 *   <li>Everything else passes through untouched and in order: pipelining, RESP3, pub/sub, blocking
 *       commands, {@code CLIENT} commands.
 * </ul>
 *
 * <p>A user group, as for a migration from passwords to IAM: {@link Builder#iamUser(String)} and
 * {@link Builder#passwordUser(String, String)} (and at run time {@link #addIamUser(String)}, {@link
 * #addPasswordUser(String, String)}, {@link #removeUser(String)}). Once a group is given:
 *
 * <ul>
 *   <li>its IAM users authenticate with tokens only, as above;
 *   <li>its password users with their own password only: each is a normal ACL user of the backend
 *       with that password (and all keys, channels and commands), so {@code ACL WHOAMI} shows it;
 *   <li>every other user, and a user {@link #removeUser(String) removed}, gets {@code WRONGPASS
 *       invalid username-password pair or user is disabled.}, valid token or not;
 *   <li>its {@code default} user (Redis OSS user groups must hold one) is disabled, as the emulator
 *       leaves the backend's: {@code AUTH <password>} fails and unauthenticated commands get {@code
 *       NOAUTH}, unless the group gives {@code default} a password ({@code passwordUser("default",
 *       …)}).
 * </ul>
 *
 * <p>Without a group, any user with a valid token is accepted (and none with a password), except
 * users {@link #removeUser(String) removed}.
 *
 * <p>{@link Builder#authenticationRateLimit(int)} caps IAM authentications per second. AWS counts
 * the excess as {@code IamAuthenticationThrottling} but documents no error text for it; the
 * emulator refuses a throttled {@code AUTH}/{@code HELLO} in order with {@code ERR unknown command
 * 'IAM-authentication-throttled', …} (the backend's own error for a command named after the cause),
 * which makes every client fail that authentication without mistaking it for a wrong token. This is
 * an assumption, not AWS's wording.
 *
 * <p>Counters are in {@link #stats()}, and under AWS's CloudWatch names in {@link #metrics()}:
 * {@code AuthenticationFailures} (failed token and password authentications), {@code
 * IamAuthenticationExpirations} (connections closed at the connection limit), {@code
 * IamAuthenticationThrottling}, and the successful IAM and password authentications. {@link
 * #dropAllConnections()} and {@link #refuseNewConnections(Duration)} inject faults. For cluster
 * mode, see {@link ElastiCacheClusterEmulator}. Tokens, passwords and the backend secret are never
 * logged or shown.
 */
public final class ElastiCacheEmulator extends EmulatorServer {
  /** AWS closes connections 12 hours after their last authentication. */
  public static final Duration DEFAULT_CONNECTION_LIMIT = Duration.ofHours(12);

  /** How far in the future a token's signing time may be, by default. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(ElastiCacheEmulator.class);
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  private static final long LIMIT_CHECK_MILLIS = 20;

  private final IamTarget.Kind kind;
  private final String cacheName;
  private final String region;
  private final List<TrustedCredentials> trusted;
  private final Duration connectionLimit;
  private final Duration allowedClockSkew;
  private final TlsMaterial tls;
  private final SSLContext sslContext;
  private final String backendHost;
  private final int backendPort;
  private final Duration backendTimeout;
  private final TokenVerifier verifier;
  private final BackendAdmin admin;
  private final String wrongPassword = BackendAdmin.randomSecret();
  private final Map<ClientConnection, RedisRelay> relays = new ConcurrentHashMap<>();
  private final UserGroup users;
  private final @Nullable AuthRateLimit rateLimit;
  private volatile @Nullable ScheduledExecutorService limitWatcher;

  private ElastiCacheEmulator(Builder b, String cacheName) {
    super(b.kind == IamTarget.Kind.MEMORYDB ? "memorydb" : "elasticache", b.port, b.clock);
    this.kind = b.kind;
    this.cacheName = cacheName;
    this.region = b.region;
    this.trusted =
        b.trusted.isEmpty() ? List.of(TrustedCredentials.example()) : List.copyOf(b.trusted);
    this.connectionLimit = b.connectionLimit;
    this.allowedClockSkew = b.allowedClockSkew;
    this.tls = b.tls != null ? b.tls : TlsMaterial.localhost();
    this.sslContext = tls.serverContext();
    this.backendHost = Objects.requireNonNull(b.backendHost);
    this.backendPort = b.backendPort;
    this.backendTimeout = b.backendTimeout;
    TokenVerifier.Builder v =
        TokenVerifier.builder()
            .kind(kind)
            .resource(cacheName)
            .region(region)
            .clock(b.clock)
            .allowedClockSkew(allowedClockSkew);
    trusted.forEach(v::trust);
    this.verifier = v.build();
    this.admin =
        new BackendAdmin(backendHost, backendPort, b.adminUser, b.adminPassword, backendTimeout);
    this.users =
        b.iamUsers.isEmpty() && b.passwordUsers.isEmpty()
            ? UserGroup.open()
            : UserGroup.of(b.iamUsers, b.passwordUsers);
    this.rateLimit =
        b.authenticationRateLimit > 0
            ? new AuthRateLimit(b.authenticationRateLimit, b.clock)
            : null;
  }

  /**
   * A builder. Required: {@link Builder#backend(String, int) backend} and {@link
   * Builder#cacheName(String) cacheName}; defaults: ElastiCache replication group, {@code
   * us-east-1}, {@link TrustedCredentials#example()}, 12-hour connection limit, 5 minutes of clock
   * skew, the system clock, {@link TlsMaterial#localhost()}, a free port.
   */
  public static Builder builder() {
    return new Builder();
  }

  private ElastiCacheEmulator startNow() {
    admin.prepare(users);
    try {
      startListening();
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
    ScheduledExecutorService watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "iamauth4j-" + kind.signingName() + "-limits-" + port());
              t.setDaemon(true);
              return t;
            });
    // A poll on the emulator's clock rather than timers: tests move a mutable clock.
    watcher.scheduleAtFixedRate(
        this::closeConnectionsAtLimit,
        LIMIT_CHECK_MILLIS,
        LIMIT_CHECK_MILLIS,
        TimeUnit.MILLISECONDS);
    limitWatcher = watcher;
    log.info(
        "{} emulator for {} \"{}\" ({}) listening on {}:{}, in front of redis at {}:{}; {}",
        kind.signingName(),
        kind.label(),
        cacheName,
        region,
        host(),
        port(),
        backendHost,
        backendPort,
        users);
    return this;
  }

  private void closeConnectionsAtLimit() {
    try {
      Instant now = clock().instant();
      for (RedisRelay r : relays.values()) {
        r.closeIfDue(now);
      }
    } catch (RuntimeException e) {
      // Keep the watcher alive: a failure here must not stop future checks.
      log.warn("connection limit check failed: {}", e.toString());
    }
  }

  @Override
  protected void serve(ClientConnection connection) throws IOException {
    Socket plain = connection.socket();
    plain.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
    try {
      connection.upgradeToTls(sslContext);
    } catch (IOException e) {
      log.debug(
          "{}: TLS handshake failed ({}); the endpoint speaks TLS only", connection, e.toString());
      return;
    }
    connection.socket().setSoTimeout(0);
    Socket backend = new Socket();
    try {
      backend.connect(
          new InetSocketAddress(backendHost, backendPort), (int) backendTimeout.toMillis());
      backend.setTcpNoDelay(true);
    } catch (IOException e) {
      backend.close();
      log.warn(
          "{}: could not connect to the backend redis at {}:{}: {}",
          connection,
          backendHost,
          backendPort,
          e.toString());
      return;
    }
    RedisRelay relay =
        new RedisRelay(
            this, connection, plain, backend, connection.openedAt().plus(connectionLimit));
    relays.put(connection, relay);
    try {
      if (connection.isClosed()) {
        return; // Dropped while connecting.
      }
      relay.run();
    } finally {
      relays.remove(connection);
      relay.drop();
    }
  }

  TokenVerifier verifier() {
    return verifier;
  }

  BackendAdmin admin() {
    return admin;
  }

  String wrongPassword() {
    return wrongPassword;
  }

  UserGroup users() {
    return users;
  }

  /** Whether one more IAM authentication may go ahead under the rate limit (takes it). */
  boolean mayAuthenticateNow() {
    AuthRateLimit r = rateLimit;
    return r == null || r.tryAcquire();
  }

  /**
   * The counters under AWS's CloudWatch names ({@code AuthenticationFailures}, {@code
   * IamAuthenticationExpirations}, {@code IamAuthenticationThrottling}) and the successful IAM and
   * password authentications, now.
   */
  public AuthMetrics metrics() {
    return stats().metrics();
  }

  /**
   * Whether a user group was configured ({@link Builder#iamUser(String)}, {@link
   * Builder#passwordUser(String, String)}); without one, any user with a valid token is accepted.
   */
  public boolean hasUserGroup() {
    return users.isGroup();
  }

  /** The IAM users of the user group now (empty without a group, where any user may be one). */
  public Set<String> iamUsers() {
    return users.iamUsers();
  }

  /**
   * The names of the password users now, {@code default} included when the group gives it a
   * password. Never the passwords.
   */
  public Set<String> passwordUsers() {
    return users.passwordUsers();
  }

  /**
   * Adds {@code user} to the user group as an IAM user (tokens only), or turns a password user or a
   * removed user into one, at once: its next authentication with a valid token is accepted. Without
   * a user group this only undoes {@link #removeUser(String)}.
   *
   * @param user the user name (as in {@code AUTH user token})
   * @throws IllegalArgumentException if the name is not one an IAM user can have ({@code default},
   *     the backend administrator, not a plain name)
   * @throws IllegalStateException if the backend refuses the change
   */
  public void addIamUser(String user) {
    Objects.requireNonNull(user, "user");
    if (!admin.mayProvision(user)) {
      throw new IllegalArgumentException(
          "user: \"" + user + "\" cannot be an IAM user here (not default, not the administrator)");
    }
    String previousPassword = users.addIam(user);
    if (previousPassword != null) {
      backendChange(() -> admin.removePassword(user), user);
    }
    log.info("{} emulator on port {}: IAM user {} added", kind.signingName(), port(), user);
  }

  /**
   * Adds {@code user} to the user group as a password user (a normal Redis ACL user with its own
   * password; {@code default} to give the group's default user a password), or turns an IAM user
   * into one, at once.
   *
   * @param user the user name
   * @param password its password (never logged)
   * @throws IllegalArgumentException if the name is not one a password user can have (the backend
   *     administrator, not a plain name) or the password is empty
   * @throws IllegalStateException if the backend refuses the change
   */
  public void addPasswordUser(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (password.isEmpty() || !admin.mayHavePassword(user)) {
      throw new IllegalArgumentException(
          "passwordUser: \""
              + user
              + "\" cannot be a password user here (a plain name, not the administrator, and a"
              + " non-empty password)");
    }
    backendChange(() -> admin.setPassword(user, password), user);
    users.addPassword(user, password);
    log.info("{} emulator on port {}: password user {} set", kind.signingName(), port(), user);
  }

  /**
   * Takes {@code user} out of the user group at once, an IAM user or a password user: from now on
   * its authentications fail with {@code WRONGPASS invalid username-password pair or user is
   * disabled.} and count as {@code AuthenticationFailures}. For {@code default}, the group's
   * default user is disabled again (a Redis OSS user group always holds one). Connections already
   * authenticated as the user stay open until they re-authenticate or reach the connection limit:
   * AWS does not document what happens to them; call {@link #dropAllConnections()} to model a
   * disconnect. Without a user group, the user is refused from now on while every other user with a
   * valid token is still accepted.
   *
   * @param user the user name
   * @throws IllegalStateException if the backend refuses the change
   */
  public void removeUser(String user) {
    Objects.requireNonNull(user, "user");
    String previousPassword = users.remove(user);
    if (previousPassword != null) {
      backendChange(() -> admin.removePassword(user), user);
    }
    log.info("{} emulator on port {}: user {} removed", kind.signingName(), port(), user);
  }

  private interface BackendChange {
    void run() throws IOException;
  }

  private void backendChange(BackendChange change, String user) {
    try {
      change.run();
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not change the ACL user "
              + user
              + " on the backend redis at "
              + admin.address()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The kind of resource emulated: ElastiCache, ElastiCache Serverless or MemoryDB. */
  public IamTarget.Kind kind() {
    return kind;
  }

  /** The cache or cluster name tokens must be signed for (lowercase for ElastiCache). */
  public String cacheName() {
    return cacheName;
  }

  /** The region tokens must be signed for. */
  public String region() {
    return region;
  }

  /** The credentials whose tokens the emulator accepts. */
  public List<TrustedCredentials> trustedCredentials() {
    return trusted;
  }

  /** How long a connection lives after its last successful authentication. */
  public Duration connectionLimit() {
    return connectionLimit;
  }

  /** How far in the future a token's signing time may be. */
  public Duration allowedClockSkew() {
    return allowedClockSkew;
  }

  /** The TLS material clients must trust: {@link TlsMaterial#caPemFile()}, trust stores. */
  public TlsMaterial tls() {
    return tls;
  }

  /** The backend's host. */
  public String backendHost() {
    return backendHost;
  }

  /** The backend's port. */
  public int backendPort() {
    return backendPort;
  }

  /** {@code host:port} of the emulator's TLS endpoint. */
  public String endpoint() {
    return host() + ":" + port();
  }

  /**
   * What a token for {@code user} on this emulator targets.
   *
   * @param user the IAM-enabled user
   * @throws IamConfigurationException if {@code user} is not a valid user name
   */
  public IamTarget target(String user) {
    return target(kind, cacheName, user);
  }

  /**
   * A token generator for {@code user} that signs with the first trusted credentials and the
   * emulator's clock: the tokens this emulator accepts.
   *
   * @param user the IAM-enabled user
   * @throws IamConfigurationException if {@code user} is not a valid user name
   */
  public IamTokenGenerator tokenGenerator(String user) {
    return IamTokenGenerator.builder()
        .target(target(user))
        .region(region)
        .credentialsProvider(trusted.get(0).asProvider())
        .clock(clock())
        .build();
  }

  static IamTarget target(IamTarget.Kind kind, String name, String user) {
    switch (kind) {
      case ELASTICACHE:
        return IamTarget.elastiCache(name, user);
      case ELASTICACHE_SERVERLESS:
        return IamTarget.elastiCacheServerless(name, user);
      case MEMORYDB:
        return IamTarget.memoryDb(name, user);
      default:
        throw new IllegalArgumentException("kind: " + kind + " is not a Redis service");
    }
  }

  /**
   * Closes every open client connection now, and its backend connection (fault injection). Clients
   * see the connection reset, as after a failover (or as when the engine drops the connections of a
   * user taken out of the group).
   */
  @Override
  public void dropAllConnections() {
    for (RedisRelay r : relays.values()) {
      r.drop();
    }
    super.dropAllConnections();
  }

  /**
   * Stops: closes the listener and every connection, then re-enables the backend's {@code default}
   * user and removes the emulator's secret from the ACL users it created. Idempotent.
   */
  @Override
  public void close() {
    super.close();
    ScheduledExecutorService w = limitWatcher;
    if (w != null) {
      w.shutdownNow();
    }
    admin.close();
  }

  /**
   * A few lines for a person at a terminal: the endpoint, the CA file, what tokens must be signed
   * for, and a {@code redis-cli} command line. Contains no secret.
   */
  public String describe() {
    String ca = tls.caPemFile().toString();
    StringBuilder sb = new StringBuilder();
    sb.append(kind.label())
        .append(" \"")
        .append(cacheName)
        .append("\" (")
        .append(region)
        .append(") emulated at ")
        .append(endpoint())
        .append(" (TLS), in front of redis at ")
        .append(backendHost)
        .append(':')
        .append(backendPort)
        .append('\n');
    sb.append("  CA certificate:   ").append(ca).append('\n');
    sb.append("  tokens:           signed for service ")
        .append(kind.signingName())
        .append(", region ")
        .append(region)
        .append(", ")
        .append(kind == IamTarget.Kind.MEMORYDB ? "cluster" : "cache")
        .append(" \"")
        .append(cacheName)
        .append('"')
        .append(
            kind == IamTarget.Kind.ELASTICACHE_SERVERLESS ? ", ResourceType=ServerlessCache" : "")
        .append(", by access key ")
        .append(trusted.get(0).accessKeyId())
        .append('\n');
    sb.append("  connection limit: ").append(connectionLimit).append(" after authentication\n");
    sb.append("  users:            ").append(users).append('\n');
    AuthRateLimit r = rateLimit;
    if (r != null) {
      sb.append("  rate limit:       ")
          .append(r.perSecond())
          .append(" IAM authentications per second\n");
    }
    sb.append("  connect:          REDISCLI_AUTH=<token> redis-cli --tls --cacert ")
        .append(ca)
        .append(" -h ")
        .append(host())
        .append(" -p ")
        .append(port())
        .append(" --user <user>\n");
    return sb.toString();
  }

  /** E.g. {@code ElastiCacheEmulator[ElastiCache cache "orders", us-east-1, 127.0.0.1:41234]}. */
  @Override
  public String toString() {
    String at;
    try {
      at = endpoint();
    } catch (IllegalStateException e) {
      at = "not started";
    }
    return "ElastiCacheEmulator["
        + kind.label()
        + " \""
        + cacheName
        + "\", "
        + region
        + ", "
        + at
        + " -> "
        + backendHost
        + ":"
        + backendPort
        + "]";
  }

  /** Settings of an {@link ElastiCacheEmulator}; {@link #start()} starts one. */
  public static final class Builder {
    private IamTarget.Kind kind = IamTarget.Kind.ELASTICACHE;
    private @Nullable String cacheName;
    private String region = "us-east-1";
    private final List<TrustedCredentials> trusted = new ArrayList<>();
    private Duration connectionLimit = DEFAULT_CONNECTION_LIMIT;
    private Duration allowedClockSkew = DEFAULT_CLOCK_SKEW;
    private Clock clock = Clock.systemUTC();
    private @Nullable TlsMaterial tls;
    private int port;
    private @Nullable String backendHost;
    private int backendPort = -1;
    private @Nullable String adminUser;
    private @Nullable String adminPassword;
    private Duration backendTimeout = Duration.ofSeconds(10);
    private final Set<String> iamUsers = new TreeSet<>();
    private final Map<String, String> passwordUsers = new LinkedHashMap<>();
    private int authenticationRateLimit;

    private Builder() {}

    /**
     * Adds an IAM user (tokens only) to the emulated user group; call again for several. Once any
     * user is given, the emulator holds a user group, as ElastiCache and MemoryDB do: only its IAM
     * users may authenticate with a token, only its password users with their password, and its
     * {@code default} user is disabled unless {@link #passwordUser(String, String) given a
     * password}. Without any user (the default), any user with a valid token is accepted.
     *
     * @param user the user name (ElastiCache: user id and user name, which must be equal)
     */
    public Builder iamUser(String user) {
      iamUsers.add(Objects.requireNonNull(user, "iamUser"));
      return this;
    }

    /**
     * Adds a password user to the emulated user group: a normal Redis ACL user with its own
     * password (and all keys, channels and commands), as before a migration to IAM. {@code default}
     * gives the group's default user that password, so that {@code AUTH <password>} works. See
     * {@link #iamUser(String)}.
     *
     * @param user the user name
     * @param password its password; never logged or shown
     */
    public Builder passwordUser(String user, String password) {
      passwordUsers.put(
          Objects.requireNonNull(user, "passwordUser"),
          Objects.requireNonNull(password, "password"));
      return this;
    }

    /**
     * The most IAM authentications ({@code AUTH}/{@code HELLO … AUTH} with a token) the emulator
     * accepts per second, a token bucket on the emulator's clock with a burst of one second's
     * worth; more are refused and counted as {@code IamAuthenticationThrottling}. Default 0: no
     * limit. See {@link ElastiCacheEmulator} for how a refusal reads.
     *
     * @param perSecond 1 or more, or 0 for none
     */
    public Builder authenticationRateLimit(int perSecond) {
      this.authenticationRateLimit = perSecond;
      return this;
    }

    /**
     * The real server behind the emulator, reached in plaintext. Required.
     *
     * @param host its host, e.g. {@code 127.0.0.1}
     * @param port its port
     */
    public Builder backend(String host, int port) {
      this.backendHost = Objects.requireNonNull(host, "host");
      this.backendPort = port;
      return this;
    }

    /**
     * The backend user the emulator administers it with (it runs {@code ACL SETUSER}, and {@code
     * CONFIG SET}/{@code CLUSTER NODES} in cluster mode). Default: the {@code default} user without
     * password. When that is {@code default}, the emulator creates its own administrator ({@code
     * iamauth4j-emulator}) before disabling {@code default}, and deletes it on close.
     *
     * @param user the ACL user, e.g. {@code admin}; null for {@code default}
     * @param password its password; null for none
     */
    public Builder backendAdmin(@Nullable String user, @Nullable String password) {
      this.adminUser = user;
      this.adminPassword = password;
      return this;
    }

    /**
     * How long to wait for the backend to accept a connection or answer an administrative command.
     * Default 10 seconds.
     *
     * @param timeout a positive duration
     */
    public Builder backendTimeout(Duration timeout) {
      this.backendTimeout = Objects.requireNonNull(timeout, "backendTimeout");
      return this;
    }

    /**
     * The service emulated: {@link IamTarget.Kind#ELASTICACHE} (a replication group, the default),
     * {@link IamTarget.Kind#ELASTICACHE_SERVERLESS} or {@link IamTarget.Kind#MEMORYDB}.
     *
     * @param kind the kind
     */
    public Builder kind(IamTarget.Kind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /**
     * The name tokens must be signed for: the replication group id, the serverless cache name or
     * the MemoryDB cluster name. Required.
     *
     * @param name e.g. {@code orders}
     */
    public Builder cacheName(String name) {
      this.cacheName = Objects.requireNonNull(name, "cacheName");
      return this;
    }

    /**
     * The region tokens must be signed for. Default {@code us-east-1}.
     *
     * @param region e.g. {@code eu-west-1}
     */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * Accepts tokens signed with these credentials; call again to trust several. Default: {@link
     * TrustedCredentials#example()} when none is given.
     *
     * @param credentials the test identity
     */
    public Builder trust(TrustedCredentials credentials) {
      this.trusted.add(Objects.requireNonNull(credentials, "credentials"));
      return this;
    }

    /**
     * How long a connection may live after its last successful authentication. Default 12 hours, as
     * on AWS; seconds in tests.
     *
     * @param limit a positive duration
     */
    public Builder connectionLimit(Duration limit) {
      this.connectionLimit = Objects.requireNonNull(limit, "connectionLimit");
      return this;
    }

    /**
     * How far in the future a token's signing time may be. Default 5 minutes.
     *
     * @param skew zero or more
     */
    public Builder allowedClockSkew(Duration skew) {
      this.allowedClockSkew = Objects.requireNonNull(skew, "allowedClockSkew");
      return this;
    }

    /**
     * The clock token expiry and connection limits are judged by. Default {@link
     * Clock#systemUTC()}; tests pass a clock they move.
     *
     * @param clock the clock
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The certificate authority and server certificate of the TLS endpoint. Default {@link
     * TlsMaterial#localhost()}.
     *
     * @param tls the material
     */
    public Builder tls(TlsMaterial tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * The port to listen on (127.0.0.1). Default 0: a free port.
     *
     * @param port 0 to 65535
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Checks the settings, prepares the backend (disables {@code default}) and starts listening.
     *
     * @return the running emulator; close it when done
     * @throws IamConfigurationException listing every invalid setting
     * @throws IllegalStateException if the backend cannot be reached or administered
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public ElastiCacheEmulator start() {
      return new ElastiCacheEmulator(this, validate()).startNow();
    }

    /** Validates every setting; returns the normalised cache name. */
    String validate() {
      List<String> problems = new ArrayList<>();
      if (backendHost == null || backendHost.isBlank()) {
        problems.add("backend: is required (the host and port of a Redis or Valkey server)");
      } else if (backendPort < 1 || backendPort > 65535) {
        problems.add("backend: port " + backendPort + " is not a port (expected 1 to 65535)");
      }
      boolean redisKind =
          kind == IamTarget.Kind.ELASTICACHE
              || kind == IamTarget.Kind.ELASTICACHE_SERVERLESS
              || kind == IamTarget.Kind.MEMORYDB;
      if (!redisKind) {
        problems.add(
            "kind: "
                + kind
                + " is not a Redis service (expected ELASTICACHE, ELASTICACHE_SERVERLESS or"
                + " MEMORYDB)");
      }
      String name = null;
      if (cacheName == null) {
        problems.add("cacheName: is required (the replication group, cache or cluster name)");
      } else if (redisKind) {
        try {
          name = target(kind, cacheName, "probe").resource();
        } catch (IamConfigurationException e) {
          problems.addAll(e.problems());
        }
      }
      if (!AwsRegions.isValid(region)) {
        problems.add(
            "region: \"" + region + "\" is not an AWS region (expected e.g. \"us-east-1\")");
      }
      if (connectionLimit.isZero() || connectionLimit.isNegative()) {
        problems.add("connectionLimit: " + connectionLimit + " is not positive");
      }
      if (allowedClockSkew.isNegative()) {
        problems.add("allowedClockSkew: " + allowedClockSkew + " is negative");
      }
      if (backendTimeout.isZero() || backendTimeout.isNegative()) {
        problems.add("backendTimeout: " + backendTimeout + " is not positive");
      }
      if (port < 0 || port > 65535) {
        problems.add("port: " + port + " is not a port (expected 0 for a free one, up to 65535)");
      }
      if (authenticationRateLimit < 0) {
        problems.add(
            "authenticationRateLimit: "
                + authenticationRateLimit
                + " is negative (expected 0 for none, or authentications per second)");
      }
      for (String u : iamUsers) {
        if (!UserGroup.USER_NAME.matcher(u).matches()) {
          problems.add(
              "iamUser: \"" + u + "\" is not a user name (expected letters, digits, . _ @ + -)");
        } else if (u.equals(UserGroup.DEFAULT)
            || u.equals(BackendAdmin.INTERNAL_ADMIN)
            || u.equals(adminUser)) {
          problems.add(
              "iamUser: \""
                  + u
                  + "\" cannot be an IAM user (the default user and the backend administrator"
                  + " cannot)");
        } else if (passwordUsers.containsKey(u)) {
          problems.add(
              "iamUser: \""
                  + u
                  + "\" is also a password user (a user has one authentication mode)");
        }
      }
      passwordUsers.forEach(
          (u, pw) -> {
            if (!UserGroup.USER_NAME.matcher(u).matches()) {
              problems.add(
                  "passwordUser: \""
                      + u
                      + "\" is not a user name (expected letters, digits, . _ @ + -)");
            } else if (u.equals(BackendAdmin.INTERNAL_ADMIN) || u.equals(adminUser)) {
              problems.add(
                  "passwordUser: \"" + u + "\" is the backend administrator (give another user)");
            }
            if (pw.isEmpty()) {
              problems.add("passwordUser: the password of \"" + u + "\" is empty");
            }
          });
      if (!problems.isEmpty()) {
        throw new IamConfigurationException(problems);
      }
      return Objects.requireNonNull(name);
    }

    Builder copy() {
      Builder b = new Builder();
      b.kind = kind;
      b.cacheName = cacheName;
      b.region = region;
      b.trusted.addAll(trusted);
      b.connectionLimit = connectionLimit;
      b.allowedClockSkew = allowedClockSkew;
      b.clock = clock;
      b.tls = tls;
      b.port = port;
      b.backendHost = backendHost;
      b.backendPort = backendPort;
      b.adminUser = adminUser;
      b.adminPassword = adminPassword;
      b.backendTimeout = backendTimeout;
      b.iamUsers.addAll(iamUsers);
      b.passwordUsers.putAll(passwordUsers);
      b.authenticationRateLimit = authenticationRateLimit;
      return b;
    }

    IamTarget.Kind kindSetting() {
      return kind;
    }

    @Nullable String adminUser() {
      return adminUser;
    }

    @Nullable String adminPassword() {
      return adminPassword;
    }

    Duration backendTimeout() {
      return backendTimeout;
    }
  }
}
