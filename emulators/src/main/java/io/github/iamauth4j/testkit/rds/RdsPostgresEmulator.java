package io.github.iamauth4j.testkit.rds;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.testkit.net.ClientConnection;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.Verdict;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for an RDS for PostgreSQL (or Aurora PostgreSQL) endpoint with IAM database
 * authentication, in front of a real PostgreSQL server.
 *
 * <p>Like RDS with {@code rds.force_ssl=1}, it accepts only TLS ({@code SSLRequest}; a plaintext
 * startup gets {@code FATAL: no pg_hba.conf entry for host "…", user "…", database "…", no
 * encryption}, SQLSTATE 28000), asks for a cleartext password and verifies the {@code rds-db} token
 * presented as that password: signed by trusted credentials, for {@code <endpoint host>:<emulator
 * port>} in the configured region, {@code DBUser} equal to the startup user, not expired. A token
 * that fails gets RDS's own {@code FATAL: PAM authentication failed for user "<user>"} (SQLSTATE
 * 28P01) and the connection is closed.
 *
 * <p>A valid token logs the client in to the real server as the same role: on its first use the
 * emulator creates the role through the admin account (or resets its password if it exists) with a
 * random secret only the emulator knows, grants it {@code CONNECT} on the database and all
 * privileges on that database's {@code public} schema, and then authenticates with SCRAM-SHA-256,
 * MD5 or a cleartext password, whichever the server asks for. From the server's {@code
 * AuthenticationOk} on, every byte is relayed unchanged both ways: parameter status, the server's
 * cancel key (so a {@code CancelRequest} on a new connection is forwarded to the server), queries,
 * the extended protocol, {@code COPY}. The startup user itself is never given the secret; the admin
 * user logs in with the admin password.
 *
 * <pre>{@code
 * try (RdsPostgresEmulator rds = RdsPostgresEmulator.builder()
 *     .backend("127.0.0.1", 5432)
 *     .backendAdmin("postgres", adminPassword)
 *     .region("us-east-1")                          // default
 *     .trust(TrustedCredentials.example())          // default
 *     .start()) {
 *   System.out.println(rds);                        // endpoint, CA file, region
 *   String token = IamTokenGenerator.builder().target(rds.target("app")).region(rds.region())
 *       .credentialsProvider(TrustedCredentials.example().asProvider()).build().generate().value();
 *   // PGPASSWORD=<token> psql "<rds.connectionString("app", "test")>"
 * }
 * }</pre>
 *
 * <p>Counters ({@link #stats()}): authentications accepted and rejected by {@link Rejection},
 * connections opened and open; {@link #plaintextStartupsRefused()}. Fault injection is inherited:
 * {@link #dropAllConnections()}, {@link #refuseNewConnections(Duration)}. Tokens and the backend
 * secrets never appear in logs, messages or {@link #toString()}.
 *
 * <p>Password users beside IAM users, as during a migration to IAM ({@link
 * Builder#passwordUser(String, String)}, {@link #addPasswordUser(String, String)}): the emulator
 * gives the real server's role that password and passes the client's password on to it, so the
 * server judges it ({@code FATAL: password authentication failed for user "<user>"}, SQLSTATE
 * 28P01, when wrong). Every other user logs in with a token, as if granted {@code rds_iam}; a user
 * {@link Builder#iamUser(String) granted IAM} that also has a password can no longer use it, as on
 * RDS: its password gets the PAM error. {@link #removeIamUser(String)} revokes IAM at run time:
 * tokens then get the PAM error, and a password user's password works again. Counters under AWS's
 * names: {@link #metrics()}.
 *
 * <p>Not emulated: direct TLS negotiation ({@code sslnegotiation=direct}, PostgreSQL 17 clients),
 * GSSAPI encryption (refused with {@code N} as RDS does).
 */
public final class RdsPostgresEmulator extends RdsEmulator {
  private static final Logger log = LoggerFactory.getLogger(RdsPostgresEmulator.class);
  private static final int MAX_PASSWORD_MESSAGE = 64 * 1024;
  private static final String NAME = "rds-postgres";

  private final PgRoles roles;
  private final AtomicLong plaintextRefused = new AtomicLong();

  private RdsPostgresEmulator(Settings s, String adminDatabase) {
    super(NAME, "RDS PostgreSQL", s);
    this.roles = new PgRoles(NAME, "iamauth4j-rds-emulator", this, adminDatabase);
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
   * A libpq connection string for {@code psql} and other libpq clients, with {@code
   * sslmode=verify-full} against {@link #caPemFile()}; pass the token as {@code PGPASSWORD}.
   *
   * @param user the database user
   * @param database the database
   * @return e.g. {@code host=localhost port=41234 user=app dbname=test sslmode=verify-full
   *     sslrootcert=/tmp/iamauth4j-ca-….pem}
   */
  public String connectionString(String user, String database) {
    return "host="
        + endpointHost
        + " port="
        + port()
        + " user="
        + libpqValue(user)
        + " dbname="
        + libpqValue(database)
        + " sslmode=verify-full sslrootcert="
        + libpqValue(caPemFile().toString());
  }

  /**
   * A pgjdbc URL with {@code sslmode=verify-full} against {@link #caPemFile()}; pass the user and
   * the token as the password.
   *
   * @param database the database
   * @return e.g. {@code jdbc:postgresql://localhost:41234/test?sslmode=verify-full&sslrootcert=…}
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://"
        + endpointHost
        + ":"
        + port()
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8)
        + "?sslmode=verify-full&sslrootcert="
        + URLEncoder.encode(caPemFile().toString(), StandardCharsets.UTF_8);
  }

  /** Startup messages refused because they came without TLS (as {@code rds.force_ssl} does). */
  public long plaintextStartupsRefused() {
    return plaintextRefused.get();
  }

  @Override
  protected void serve(ClientConnection c) throws IOException {
    c.socket().setSoTimeout(Settings.timeoutMillis(handshakeTimeout));
    // Bytes read ahead past the SSLRequest are handed to the TLS handshake by upgradeToTls.
    DataInputStream in = new DataInputStream(c.in());
    for (int round = 0; round < 3; round++) {
      byte[] packet = PgWire.readStartupPacket(in);
      int code = PgWire.intAt(packet, 0);
      if (code == PgWire.SSL_REQUEST && packet.length == 4 && !c.isTls()) {
        c.out().write('S');
        c.out().flush();
        c.upgradeToTls(serverContext);
        in = new DataInputStream(c.in());
      } else if (code == PgWire.GSSENC_REQUEST && packet.length == 4 && !c.isTls()) {
        c.out().write('N');
        c.out().flush();
      } else if (code == PgWire.CANCEL_REQUEST && packet.length == 12) {
        // The key data is the backend's (relayed verbatim), so the backend can act on it.
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

  private void startup(ClientConnection c, DataInputStream in, byte[] packet, int protocol)
      throws IOException {
    Map<String, String> params = PgWire.startupParameters(packet);
    String user = params.getOrDefault("user", "");
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
    if (!c.isTls()) {
      plaintextRefused.incrementAndGet();
      log.info("{} emulator: {} refused: startup for user \"{}\" without TLS", NAME, c, user);
      fatal(
          c,
          "28000",
          "no pg_hba.conf entry for host \""
              + c.socket().getInetAddress().getHostAddress()
              + "\", user \""
              + user
              + "\", database \""
              + database
              + "\", no encryption",
          "ClientAuthentication");
      return;
    }
    PgWire.write(c.out(), 'R', PgWire.authentication(3, new byte[0]));
    c.out().flush();
    PgWire.Message m;
    try {
      m = PgWire.read(in, MAX_PASSWORD_MESSAGE);
    } catch (EOFException e) {
      // libpq closes here when it has no password, asks for one and reconnects.
      return;
    }
    if (m.typeChar() != 'p') {
      fatal(
          c,
          "08P01",
          "expected password response, got message type " + (int) m.typeChar(),
          "recv_password_packet");
      return;
    }
    String credential = PgWire.cstring(m.body, 0);
    RdsUsers.Mode mode = users.mode(user);
    if (mode == RdsUsers.Mode.PASSWORD) {
      passwordLogin(c, protocol, params, user, database, credential);
      return;
    }
    Verdict verdict = verifier().verify(user, credential);
    if (!verdict.isAccepted() || mode == RdsUsers.Mode.NONE) {
      Rejection why =
          verdict.isAccepted()
              ? Rejection.UNKNOWN_USER
              : verdict.rejection().orElse(Rejection.MALFORMED);
      stats().recordRejected(why);
      log.info(
          "{} emulator: {} rejected the token of user \"{}\": {}",
          NAME,
          c,
          user,
          verdict.isAccepted() ? "IAM is not granted to the user" : verdict.detail());
      fatal(c, "28P01", "PAM authentication failed for user \"" + user + "\"", "auth_failed");
      return;
    }
    stats().recordAccepted(false);
    log.debug("{} emulator: {} accepted the token of user \"{}\"", NAME, c, user);
    String secret;
    try {
      secret = roles.provision(user, database);
    } catch (IOException e) {
      provisionFailed(c, user, e);
      return;
    }
    relay(c, protocol, params, user, secret, null);
  }

  /**
   * A password user: its own password goes to the real server, which judges it (its error, e.g.
   * {@code password authentication failed for user "<user>"}, reaches the client as it is).
   */
  private void passwordLogin(
      ClientConnection c,
      int protocol,
      Map<String, String> params,
      String user,
      String database,
      String password)
      throws IOException {
    String configured = users.password(user);
    if (configured == null) {
      // Removed meanwhile: as if never a password user.
      stats().recordPasswordRejected();
      fatal(c, "28P01", "password authentication failed for user \"" + user + "\"", "auth_failed");
      return;
    }
    try {
      roles.provisionPassword(user, database, configured);
    } catch (IOException e) {
      provisionFailed(c, user, e);
      return;
    }
    relay(
        c,
        protocol,
        params,
        user,
        password,
        ok -> {
          if (ok) {
            stats().recordPasswordAccepted();
            log.debug("{} emulator: {} user \"{}\" logged in with its password", NAME, c, user);
          } else {
            stats().recordPasswordRejected();
            log.info(
                "{} emulator: {} the backend refused the password of user \"{}\"", NAME, c, user);
          }
        });
  }

  private void provisionFailed(ClientConnection c, String user, IOException e) throws IOException {
    log.warn("{} emulator: could not prepare role \"{}\": {}", NAME, user, e.getMessage());
    fatal(
        c,
        "58000",
        "the RDS emulator could not prepare role \""
            + user
            + "\" on its backend "
            + backendHost
            + ":"
            + backendPort
            + ": "
            + e.getMessage(),
        "iamauth4j_provision");
  }

  /** Logs in to the real server with {@code password}, passes its answer on and relays. */
  private void relay(
      ClientConnection c,
      int protocol,
      Map<String, String> params,
      String user,
      String password,
      @Nullable Consumer<Boolean> outcome)
      throws IOException {
    PgBackend backend;
    try {
      backend = PgBackend.connect(backendHost, backendPort, backendConnectTimeout);
    } catch (IOException e) {
      fatal(
          c,
          "08006",
          "the RDS emulator could not connect to its backend "
              + backendHost
              + ":"
              + backendPort
              + ": "
              + e,
          "iamauth4j_connect");
      return;
    }
    try {
      PgBackend.Startup s = backend.startup(protocol, params, user, password);
      if (outcome != null) {
        outcome.accept(s.ok);
      }
      for (PgWire.Message passOn : s.messages) {
        c.out().write(passOn.encode());
      }
      c.out().flush();
      if (!s.ok) {
        return;
      }
      backend.socket().setSoTimeout(0);
      c.socket().setSoTimeout(0);
      Relay.run(
          c,
          backend.socket(),
          backend.input(),
          backend.output(),
          Thread.currentThread().getName() + "-down");
    } finally {
      backend.close();
    }
  }

  private static void fatal(ClientConnection c, String sqlState, String message, String routine)
      throws IOException {
    PgWire.write(c.out(), 'E', PgWire.error("FATAL", sqlState, message, routine));
    c.out().flush();
  }

  static String identifier(String name) {
    return PgRoles.identifier(name);
  }

  static String literal(String value) {
    return PgRoles.literal(value);
  }

  private static String libpqValue(String value) {
    if (!value.isEmpty() && value.chars().noneMatch(ch -> ch == ' ' || ch == '\'' || ch == '\\')) {
      return value;
    }
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /**
   * Builds and starts a {@link RdsPostgresEmulator}. Setters check their argument at once; {@link
   * #start()} reports every missing setting together. The {@link #backendAdmin(String, String)
   * admin} is a superuser, or a role with {@code CREATEROLE} that owns the databases.
   */
  public static final class Builder extends RdsEmulator.Builder<Builder, RdsPostgresEmulator> {
    private String adminDatabase = "postgres";

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
     * Starts the emulator: listens on {@code 127.0.0.1} and serves each connection on its own
     * thread. The real server is first contacted when a client logs in.
     *
     * @return the running emulator; close it to stop
     * @throws IamConfigurationException listing every missing setting
     * @throws UncheckedIOException if the port cannot be bound
     */
    @Override
    public RdsPostgresEmulator start() {
      RdsPostgresEmulator e =
          startWith(settings -> new RdsPostgresEmulator(settings, adminDatabase));
      log.info("Started {}", e);
      return e;
    }
  }
}
