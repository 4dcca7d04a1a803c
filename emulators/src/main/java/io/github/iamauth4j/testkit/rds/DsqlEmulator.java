package io.github.iamauth4j.testkit.rds;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.testkit.net.ClientConnection;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.TokenVerifier;
import io.github.iamauth4j.testkit.verify.Verdict;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for an Aurora DSQL cluster endpoint, in front of a real PostgreSQL server, with
 * DSQL's connection rules as AWS documents them:
 *
 * <ul>
 *   <li>TLS only, by the classic {@code SSLRequest} or by direct TLS ({@code
 *       sslnegotiation=direct}, which AWS's DSQL connectors set; the client must offer the ALPN
 *       protocol {@code postgresql}, as PostgreSQL 17 requires). "Connections without SSL are
 *       rejected by Aurora DSQL" (<a
 *       href="https://docs.aws.amazon.com/aurora-dsql/latest/userguide/accessing.html">Accessing
 *       Aurora DSQL</a>).
 *   <li>The password is an IAM token for service {@code dsql}, signed for the cluster endpoint
 *       without port, {@code Action=DbConnectAdmin} for the role {@code admin} and {@code
 *       Action=DbConnect} for every other role, with an expiry of up to one week (<a
 *       href="https://docs.aws.amazon.com/aurora-dsql/latest/userguide/SECTION_authentication-token.html">Generating
 *       an authentication token</a>). A bad token gets {@code FATAL: IAM authentication failed for
 *       user "<role>"} (<a
 *       href="https://docs.aws.amazon.com/aurora-dsql/latest/userguide/troubleshooting.html">Troubleshooting</a>;
 *       the SQLSTATE, 28P01 here, is not documented).
 *   <li>A session lasts at most one hour; "if you start a transaction in the 60th minute, Aurora
 *       DSQL still runs the transaction until you reach the limit of five minutes before it closes
 *       the session" (<a
 *       href="https://docs.aws.amazon.com/aurora-dsql/latest/userguide/working-with-connections.html">Understanding
 *       connections</a>). The emulator closes a session at {@link Builder#sessionLimit(Duration)}
 *       as soon as it is idle (no transaction open, no query pending), at the latest {@link
 *       Builder#transactionGrace(Duration)} later. It then sends {@code FATAL} SQLSTATE 08006
 *       (DSQL's own message at that moment is not documented) and closes the connection.
 *   <li>The per-cluster quotas (<a
 *       href="https://docs.aws.amazon.com/aurora-dsql/latest/userguide/CHAP_quotas.html">Cluster
 *       quotas and database limits</a>): at most 10,000 connections, else {@code FATAL} {@code
 *       TOO_MANY_CONNECTIONS} 53300 "Unable to accept connection, too many open connections."; at
 *       most 100 new connections per second with a burst capacity of 1,000 (a token bucket refilled
 *       at 100 per second), else {@code CONFIGURED_LIMIT_EXCEEDED} 53400 "Unable to accept
 *       connection, rate exceeded.". Both are configurable here, to prove clients against small
 *       quotas. Every startup message counts against the rate, whatever its token.
 * </ul>
 *
 * <p>A valid token logs the client in to the real server as a role of the same name (created on
 * first use with a secret only the emulator knows, as {@link RdsPostgresEmulator} does; {@code
 * admin} is an ordinary role there). From the server's {@code AuthenticationOk} on, the session is
 * relayed unchanged both ways. DSQL has one database, {@code postgres}; the emulator relays
 * whatever database the client names.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.builder().start();
 *     DsqlEmulator dsql = DsqlEmulator.builder()
 *         .backend(pg.host(), pg.port())
 *         .backendAdmin(pg.superuser(), pg.superuserPassword())
 *         .endpointHost("abc123.dsql.us-east-1.on.aws")   // resolved to 127.0.0.1 by the client
 *         .tls(TlsMaterial.generate(List.of("abc123.dsql.us-east-1.on.aws"), List.of()))
 *         .sessionLimit(Duration.ofSeconds(3))             // compressed one hour
 *         .connectionRate(20, 50)                          // compressed quota
 *         .start()) {
 *   IamTarget target = dsql.target("admin");               // signed for the host, no port
 * }
 * }</pre>
 *
 * <p>Counters: {@link #stats()} (authentications accepted and rejected by {@link Rejection},
 * connections opened and open, {@link
 * io.github.iamauth4j.testkit.net.EmulatorStats#connectionsClosedAtLimit() sessions closed at the
 * session limit}), {@link #connectionsRefusedByRate()}, {@link #connectionsRefusedByCount()},
 * {@link #directTlsConnections()}, {@link #sslRequestConnections()}, {@link
 * #plaintextStartupsRefused()}, {@link #openSessions()}. Tokens and backend secrets never appear in
 * logs, messages or {@link #toString()}.
 *
 * <p>Not emulated: the SNI check (DSQL refuses a client that sends no SNI; Java sends none for
 * {@code localhost}), the 5-minute transaction timeout itself, DSQL's SQL dialect and its
 * optimistic concurrency errors, the IAM-role-to-database-role mapping ({@code AWS IAM GRANT}):
 * every role may log in with a valid token, except one whose IAM was revoked with {@link
 * #removeIamUser(String)} (its tokens then fail as a bad token does). There are no password users.
 */
public final class DsqlEmulator extends RdsEmulator {
  private static final Logger log = LoggerFactory.getLogger(DsqlEmulator.class);
  private static final String NAME = "dsql";
  private static final int MAX_PASSWORD_MESSAGE = 64 * 1024;
  private static final int MAX_BACKEND_MESSAGE = Integer.MAX_VALUE - 8;
  private static final int TLS_HANDSHAKE_RECORD = 0x16;
  private static final String ALPN = "postgresql";

  /** The session limit DSQL documents: one hour. */
  public static final Duration SESSION_LIMIT = Duration.ofHours(1);

  /** How long a transaction open at the session limit may still run: five minutes. */
  public static final Duration TRANSACTION_GRACE = Duration.ofMinutes(5);

  /** DSQL's default connection quota per cluster. */
  public static final int MAX_CONNECTIONS = 10_000;

  /** DSQL's connection-rate quota per cluster, per second. */
  public static final int CONNECTION_RATE = 100;

  /** DSQL's connection burst capacity per cluster. */
  public static final int CONNECTION_BURST = 1_000;

  private final PgRoles roles;
  private final Duration sessionLimit;
  private final Duration transactionGrace;
  private final int maxConnections;
  private final int connectionRate;
  private final int connectionBurst;
  private final TokenBucket bucket;
  private final ScheduledExecutorService timers;
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicLong refusedByRate = new AtomicLong();
  private final AtomicLong refusedByCount = new AtomicLong();
  private final AtomicLong directTls = new AtomicLong();
  private final AtomicLong sslRequests = new AtomicLong();
  private final AtomicLong plaintextRefused = new AtomicLong();
  private volatile @Nullable TokenVerifier dsqlVerifier;

  private DsqlEmulator(Settings s, Builder b) {
    super(NAME, "Aurora DSQL", s);
    this.roles = new PgRoles(NAME, "iamauth4j-dsql-emulator", this, b.adminDatabase);
    this.sessionLimit = b.sessionLimit;
    this.transactionGrace = b.transactionGrace;
    this.maxConnections = b.maxConnections;
    this.connectionRate = b.connectionRate;
    this.connectionBurst = b.connectionBurst;
    this.bucket = new TokenBucket(b.connectionRate, b.connectionBurst);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "iamauth4j-dsql-session-limits");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A builder. Required: {@link Builder#backend(String, int)} and {@link
   * Builder#backendAdmin(String, String)}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The IAM target a client signs tokens for to log in here as {@code role}: {@code
   * dsql(endpointHost(), role)}, the host without port ({@code DbConnectAdmin} for {@code admin}).
   *
   * @param role the database role
   * @return the target
   */
  @Override
  public IamTarget target(String role) {
    return IamTarget.dsql(endpointHost, role);
  }

  /**
   * The verifier tokens are judged by: service {@code dsql}, the endpoint host without port.
   *
   * @return the verifier
   */
  @Override
  public TokenVerifier verifier() {
    TokenVerifier v = dsqlVerifier;
    if (v == null) {
      synchronized (this) {
        v = dsqlVerifier;
        if (v == null) {
          TokenVerifier.Builder b =
              TokenVerifier.builder()
                  .kind(IamTarget.Kind.DSQL)
                  .resource(endpointHost)
                  .region(region)
                  .clock(clock())
                  .allowedClockSkew(allowedClockSkew);
          trusted.forEach(b::trust);
          v = b.build();
          dsqlVerifier = v;
        }
      }
    }
    return v;
  }

  /**
   * A libpq connection string with {@code sslmode=verify-full} against {@link #caPemFile()}; pass
   * the token as {@code PGPASSWORD}. The host must resolve to {@code 127.0.0.1} (it does for {@code
   * localhost}).
   *
   * @param role the database role, e.g. {@code admin}
   * @return e.g. {@code host=localhost port=41234 user=admin dbname=postgres sslmode=verify-full
   *     sslrootcert=/tmp/iamauth4j-ca-….pem}
   */
  public String connectionString(String role) {
    return "host="
        + endpointHost
        + " port="
        + port()
        + " user="
        + role
        + " dbname=postgres sslmode=verify-full sslrootcert='"
        + caPemFile().toString().replace("\\", "\\\\").replace("'", "\\'")
        + "'";
  }

  /**
   * A pgjdbc URL to the {@code postgres} database with {@code sslmode=verify-full} against {@link
   * #caPemFile()}; pass the role as user and the token as password. Add {@code
   * &sslNegotiation=direct} for direct TLS (pgjdbc 42.7.4 and later).
   *
   * @return e.g. {@code
   *     jdbc:postgresql://localhost:41234/postgres?sslmode=verify-full&sslrootcert=…}
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://"
        + endpointHost
        + ":"
        + port()
        + "/postgres?sslmode=verify-full&sslrootcert="
        + URLEncoder.encode(caPemFile().toString(), StandardCharsets.UTF_8);
  }

  /** The session limit: one hour unless compressed. */
  public Duration sessionLimit() {
    return sessionLimit;
  }

  /** Connections refused with {@code CONFIGURED_LIMIT_EXCEEDED} (53400): the rate quota. */
  public long connectionsRefusedByRate() {
    return refusedByRate.get();
  }

  /** Connections refused with {@code TOO_MANY_CONNECTIONS} (53300): the connection quota. */
  public long connectionsRefusedByCount() {
    return refusedByCount.get();
  }

  /** Connections that began with a TLS handshake ({@code sslnegotiation=direct}). */
  public long directTlsConnections() {
    return directTls.get();
  }

  /** Connections that asked for TLS with an {@code SSLRequest}. */
  public long sslRequestConnections() {
    return sslRequests.get();
  }

  /** Startup messages refused because they came without TLS. */
  public long plaintextStartupsRefused() {
    return plaintextRefused.get();
  }

  /** Sessions counted against the connection quota now (past the rate check, not yet closed). */
  public int openSessions() {
    return sessions.get();
  }

  @Override
  public void close() {
    super.close();
    timers.shutdownNow();
  }

  /** Describes the endpoint, the CA file, the region, the limits and the backend; no secrets. */
  @Override
  public String toString() {
    return "Aurora DSQL emulator on "
        + endpointHost
        + ":"
        + port()
        + " (TLS only, SSLRequest or direct; trust the CA in "
        + caPemFile()
        + "; tokens for "
        + endpointHost
        + " in "
        + region
        + ", trusting "
        + trusted
        + "; sessions end after "
        + sessionLimit
        + "; at most "
        + maxConnections
        + " connections, "
        + connectionRate
        + " new per second, burst "
        + connectionBurst
        + ") in front of "
        + backendHost
        + ":"
        + backendPort;
  }

  @Override
  protected void serve(ClientConnection c) throws IOException {
    c.socket().setSoTimeout(Settings.timeoutMillis(handshakeTimeout));
    InputStream raw = c.in();
    raw.mark(1);
    int first = raw.read();
    if (first < 0) {
      return;
    }
    raw.reset();
    if (first == TLS_HANDSHAKE_RECORD) {
      directTls.incrementAndGet();
      SSLSocket tls = c.upgradeToTls(serverContext, DsqlEmulator::selectAlpn);
      if (!ALPN.equals(tls.getApplicationProtocol())) {
        // PostgreSQL 17's own answer to direct TLS without ALPN.
        fatal(
            c,
            "08P01",
            "received direct SSL connection request without ALPN protocol negotiation extension",
            "ProcessSSLStartup");
        return;
      }
    }
    DataInputStream in = new DataInputStream(c.in());
    for (int round = 0; round < 3; round++) {
      byte[] packet = PgWire.readStartupPacket(in);
      int code = PgWire.intAt(packet, 0);
      if (code == PgWire.SSL_REQUEST && packet.length == 4 && !c.isTls()) {
        sslRequests.incrementAndGet();
        c.out().write('S');
        c.out().flush();
        c.upgradeToTls(serverContext, DsqlEmulator::selectAlpn);
        in = new DataInputStream(c.in());
      } else if (code == PgWire.GSSENC_REQUEST && packet.length == 4 && !c.isTls()) {
        c.out().write('N');
        c.out().flush();
      } else if (code == PgWire.CANCEL_REQUEST && packet.length == 12) {
        PgBackend.cancel(backendHost, backendPort, backendConnectTimeout, packet);
        return;
      } else if ((code >>> 16) == 3) {
        startup(c, in, packet, code);
        return;
      } else {
        fatal(
            c,
            "08P01",
            "unsupported frontend protocol "
                + (code >>> 16)
                + "."
                + (code & 0xffff)
                + ": server supports 3.0 to 3.0",
            "ProcessStartupPacket");
        return;
      }
    }
    fatal(c, "08P01", "too many negotiation requests", "ProcessStartupPacket");
  }

  private static void selectAlpn(SSLSocket tls) {
    tls.setHandshakeApplicationProtocolSelector(
        (socket, offered) -> offered.contains(ALPN) ? ALPN : "");
  }

  private void startup(ClientConnection c, DataInputStream in, byte[] packet, int protocol)
      throws IOException {
    Map<String, String> params = PgWire.startupParameters(packet);
    String user = params.getOrDefault("user", "");
    if (!c.isTls()) {
      plaintextRefused.incrementAndGet();
      log.info("{} emulator: {} refused: startup for role \"{}\" without TLS", NAME, c, user);
      fatal(c, "28000", "unable to accept connection, SSL is required", "ClientAuthentication");
      return;
    }
    if (!bucket.tryAcquire()) {
      refusedByRate.incrementAndGet();
      log.info("{} emulator: {} refused by the connection-rate quota", NAME, c);
      fatal(c, "53400", "Unable to accept connection, rate exceeded.", "ProcessStartupPacket");
      return;
    }
    if (sessions.incrementAndGet() > maxConnections) {
      sessions.decrementAndGet();
      refusedByCount.incrementAndGet();
      log.info("{} emulator: {} refused by the connection quota", NAME, c);
      fatal(
          c,
          "53300",
          "Unable to accept connection, too many open connections.",
          "ProcessStartupPacket");
      return;
    }
    try {
      authenticateAndRelay(c, in, params, protocol, user);
    } finally {
      sessions.decrementAndGet();
    }
  }

  private void authenticateAndRelay(
      ClientConnection c, DataInputStream in, Map<String, String> params, int protocol, String user)
      throws IOException {
    if (user.isEmpty()) {
      fatal(
          c,
          "28000",
          "no PostgreSQL user name specified in startup packet",
          "ProcessStartupPacket");
      return;
    }
    String database = params.getOrDefault("database", "");
    if (database.isEmpty()) {
      database = user;
    }
    PgWire.write(c.out(), 'R', PgWire.authentication(3, new byte[0]));
    c.out().flush();
    PgWire.Message m;
    try {
      m = PgWire.read(in, MAX_PASSWORD_MESSAGE);
    } catch (EOFException e) {
      return; // libpq closes here when it has no password, asks for one and reconnects.
    }
    if (m.typeChar() != 'p') {
      fatal(
          c,
          "08P01",
          "expected password response, got message type " + (int) m.typeChar(),
          "recv_password_packet");
      return;
    }
    String token = PgWire.cstring(m.body, 0);
    Verdict verdict = verifier().verify(user, token);
    boolean revoked = users.mode(user) != RdsUsers.Mode.IAM;
    if (!verdict.isAccepted() || revoked) {
      Rejection why =
          verdict.isAccepted()
              ? Rejection.UNKNOWN_USER
              : verdict.rejection().orElse(Rejection.MALFORMED);
      stats().recordRejected(why);
      log.info(
          "{} emulator: {} rejected the token of role \"{}\": {}",
          NAME,
          c,
          user,
          verdict.isAccepted() ? "IAM is revoked for the role" : verdict.detail());
      fatal(c, "28P01", "IAM authentication failed for user \"" + user + "\"", "auth_failed");
      return;
    }
    stats().recordAccepted(false);
    String secret;
    try {
      secret = roles.provision(user, database);
    } catch (IOException e) {
      log.warn("{} emulator: could not prepare role \"{}\": {}", NAME, user, e.getMessage());
      fatal(
          c,
          "58000",
          "the DSQL emulator could not prepare role \""
              + user
              + "\" on its backend "
              + backendHost
              + ":"
              + backendPort
              + ": "
              + e.getMessage(),
          "iamauth4j_provision");
      return;
    }
    PgBackend backend;
    try {
      backend = PgBackend.connect(backendHost, backendPort, backendConnectTimeout);
    } catch (IOException e) {
      fatal(
          c,
          "08006",
          "the DSQL emulator could not connect to its backend "
              + backendHost
              + ":"
              + backendPort
              + ": "
              + e,
          "iamauth4j_connect");
      return;
    }
    try {
      PgBackend.Startup s = backend.startup(protocol, params, user, secret);
      for (PgWire.Message passOn : s.messages) {
        c.out().write(passOn.encode());
      }
      c.out().flush();
      if (!s.ok) {
        return;
      }
      backend.socket().setSoTimeout(0);
      c.socket().setSoTimeout(0);
      new Session(c, backend).run();
    } finally {
      backend.close();
    }
  }

  private static void fatal(ClientConnection c, String sqlState, String message, String routine)
      throws IOException {
    PgWire.write(c.out(), 'E', PgWire.error("FATAL", sqlState, message, routine));
    c.out().flush();
  }

  /**
   * One relayed session: client bytes go to the backend unchanged; backend messages are read one by
   * one (to know from {@code ReadyForQuery} whether a transaction is open) and passed on unchanged.
   * At the session limit an idle session is closed at once, a busy one at its next idle moment or
   * at the end of the transaction grace.
   */
  private final class Session {
    private final ClientConnection client;
    private final PgBackend backend;
    private final Object writeLock = new Object();
    private final AtomicLong clientReads = new AtomicLong();
    private volatile char lastStatus = 'I';
    private volatile long clientReadsAtReady = -1;
    private volatile boolean limitReached;
    private volatile boolean ended;

    Session(ClientConnection client, PgBackend backend) {
      this.client = client;
      this.backend = backend;
    }

    void run() {
      ScheduledFuture<?> atLimit =
          timers.schedule(this::onLimit, sessionLimit.toNanos(), TimeUnit.NANOSECONDS);
      ScheduledFuture<?> atGraceEnd =
          timers.schedule(
              () -> end("its transaction outlasted the session limit"),
              sessionLimit.plus(transactionGrace).toNanos(),
              TimeUnit.NANOSECONDS);
      Thread down = new Thread(this::down, Thread.currentThread().getName() + "-down");
      down.setDaemon(true);
      down.start();
      try {
        up();
      } finally {
        atLimit.cancel(false);
        atGraceEnd.cancel(false);
        closeBoth();
        try {
          down.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void up() {
      InputStream in = client.in();
      OutputStream out = backend.output();
      byte[] buffer = new byte[16 * 1024];
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          clientReads.incrementAndGet();
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // One side closed or failed: the session ends.
      }
    }

    private void down() {
      DataInputStream in = new DataInputStream(new BufferedInputStream(backend.input()));
      OutputStream out = client.out();
      try {
        while (true) {
          PgWire.Message m = PgWire.read(in, MAX_BACKEND_MESSAGE);
          boolean idle = false;
          synchronized (writeLock) {
            if (ended) {
              return;
            }
            out.write(m.encode());
            if (m.typeChar() == 'Z' && m.body.length == 1) {
              lastStatus = (char) m.body[0];
              clientReadsAtReady = clientReads.get();
              idle = lastStatus == 'I';
            }
            if (in.available() == 0) {
              out.flush();
            }
          }
          if (idle && limitReached && isIdle()) {
            end("the session reached its limit");
          }
        }
      } catch (IOException e) {
        // One side closed or failed: the session ends.
      } finally {
        closeBoth();
      }
    }

    private boolean isIdle() {
      return lastStatus == 'I' && clientReadsAtReady == clientReads.get();
    }

    private void onLimit() {
      limitReached = true;
      if (isIdle()) {
        end("the session reached its limit");
      }
    }

    private void end(String why) {
      synchronized (writeLock) {
        if (ended || client.isClosed()) {
          return;
        }
        ended = true;
        stats().recordClosedAtLimit();
        log.debug("{} emulator: closing {}: {}", NAME, client, why);
        try {
          PgWire.write(
              client.out(),
              'E',
              PgWire.error(
                  "FATAL",
                  "08006",
                  "the session reached Aurora DSQL's session limit of "
                      + sessionLimit
                      + "; open a new connection",
                  "iamauth4j_session_limit"));
          client.out().flush();
        } catch (IOException e) {
          // The client is gone already.
        }
      }
      closeBoth();
    }

    private void closeBoth() {
      try {
        backend.socket().close();
      } catch (IOException e) {
        // Closing: nothing left to do.
      }
      client.close();
    }
  }

  /** DSQL's connection-rate quota: a bucket of {@code burst} refilled at {@code rate} a second. */
  static final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double available;
    private long last;

    TokenBucket(int ratePerSecond, int burst) {
      this.ratePerNano = ratePerSecond / 1e9;
      this.capacity = burst;
      this.available = burst;
      this.last = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
      long now = System.nanoTime();
      available = Math.min(capacity, available + (now - last) * ratePerNano);
      last = now;
      if (available >= 1) {
        available -= 1;
        return true;
      }
      return false;
    }
  }

  /**
   * Not supported: Aurora DSQL authenticates with IAM only.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void addPasswordUser(String user, String password) {
    throw new UnsupportedOperationException(
        "Aurora DSQL has no password users (IAM authentication only)");
  }

  /**
   * Builds and starts a {@link DsqlEmulator}. Setters check their argument at once; {@link
   * #start()} reports every missing setting together.
   */
  public static final class Builder extends RdsEmulator.Builder<Builder, DsqlEmulator> {
    private String adminDatabase = "postgres";
    private Duration sessionLimit = SESSION_LIMIT;
    private Duration transactionGrace = TRANSACTION_GRACE;
    private int maxConnections = MAX_CONNECTIONS;
    private int connectionRate = CONNECTION_RATE;
    private int connectionBurst = CONNECTION_BURST;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * The database the admin role connects to to create roles. Default {@code postgres}.
     *
     * @param database an existing database
     * @return this builder
     */
    public Builder adminDatabase(String database) {
      if (Objects.requireNonNull(database, "adminDatabase").isEmpty()) {
        throw new IllegalArgumentException("adminDatabase: must not be empty");
      }
      this.adminDatabase = database;
      return this;
    }

    /**
     * How long a session may last. Default one hour, as DSQL; compress it in tests.
     *
     * @param limit a positive duration
     * @return this builder
     */
    public Builder sessionLimit(Duration limit) {
      this.sessionLimit = positive("sessionLimit", limit);
      return this;
    }

    /**
     * How long a transaction open at the session limit may still run before the session is closed
     * anyway. Default five minutes, as DSQL.
     *
     * @param grace zero or more
     * @return this builder
     */
    public Builder transactionGrace(Duration grace) {
      Objects.requireNonNull(grace, "transactionGrace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("transactionGrace: " + grace + " is negative");
      }
      this.transactionGrace = grace;
      return this;
    }

    /**
     * The connection quota: sessions open at once. Default 10,000, as DSQL.
     *
     * @param max 1 or more
     * @return this builder
     */
    public Builder maxConnections(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConnections: " + max + " is not 1 or more");
      }
      this.maxConnections = max;
      return this;
    }

    /**
     * The connection-rate quota: new connections per second, and the burst capacity. Default 100
     * per second with a burst of 1,000, as DSQL.
     *
     * @param perSecond 1 or more
     * @param burst 1 or more
     * @return this builder
     */
    public Builder connectionRate(int perSecond, int burst) {
      if (perSecond < 1 || burst < 1) {
        throw new IllegalArgumentException(
            "connectionRate: "
                + perSecond
                + " per second, burst "
                + burst
                + " (expected 1 or more)");
      }
      this.connectionRate = perSecond;
      this.connectionBurst = burst;
      return this;
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + ": " + d + " is not positive");
      }
      return d;
    }

    /**
     * Starts the emulator: listens on {@code 127.0.0.1} and serves each connection on its own
     * thread. The real server is first contacted when a client logs in.
     *
     * @return the running emulator; close it to stop
     * @throws IamConfigurationException listing every missing setting
     * @throws UncheckedIOException if the port cannot be bound
     */
    @Override
    public DsqlEmulator start() {
      if (!s.passwordUsers.isEmpty()) {
        throw new IamConfigurationException(
            List.of("passwordUser: Aurora DSQL has no password users (IAM authentication only)"));
      }
      DsqlEmulator e = startWith(settings -> new DsqlEmulator(settings, this));
      log.info("Started {}", e);
      return e;
    }
  }
}
