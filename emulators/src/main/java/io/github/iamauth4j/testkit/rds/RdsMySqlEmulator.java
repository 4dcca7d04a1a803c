package io.github.iamauth4j.testkit.rds;

import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.testkit.net.ClientConnection;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for an RDS for MySQL or MariaDB (or Aurora MySQL) endpoint with IAM database
 * authentication, in front of a real MariaDB (or MySQL) server.
 *
 * <p>It greets clients as the real server does (its version, connection id, character set and
 * capabilities, plus TLS), accepts only TLS (a client that does not ask for it gets error 3159,
 * {@code Connections using insecure transport are prohibited while --require_secure_transport=ON.},
 * as from RDS with {@code require_secure_transport}), switches the client to {@code
 * mysql_clear_password} and verifies the {@code rds-db} token it sends: signed by trusted
 * credentials, for {@code <endpoint host>:<emulator port>} in the configured region, {@code DBUser}
 * equal to the login user, not expired. A token that fails gets error 1045 (SQLSTATE 28000) {@code
 * Access denied for user '<user>'@'<client address>' (using password: YES)} and the connection is
 * closed.
 *
 * <p>A valid token logs the client in to the real server as the same user, on the connection whose
 * greeting the client saw: on its first use the emulator creates the user {@code '<user>'@'%'}
 * through the admin account ({@code CREATE USER IF NOT EXISTS}, then {@code ALTER USER … IDENTIFIED
 * BY} a random secret only the emulator knows) and grants it all privileges on the database the
 * client names and on {@link Builder#grantDatabase(String) configured databases}. It answers the
 * server's {@code mysql_native_password} challenge with the client's own capability flags (less TLS
 * and compression), character set, database and connection attributes, passes the server's OK on to
 * the client, and from then on relays every byte unchanged both ways. The admin user logs in with
 * the admin password.
 *
 * <pre>{@code
 * try (RdsMySqlEmulator rds = RdsMySqlEmulator.builder()
 *     .backend("127.0.0.1", 3306)
 *     .backendAdmin("root", adminPassword)
 *     .grantDatabase("test")
 *     .start()) {
 *   String token = IamTokenGenerator.builder().target(rds.target("app")).region(rds.region())
 *       .credentialsProvider(TrustedCredentials.example().asProvider()).build().generate().value();
 *   // mariadb --ssl --ssl-ca=<rds.caPemFile()> --ssl-verify-server-cert -h localhost
 *   //     -P <rds.port()> -u app -p<token> test
 * }
 * }</pre>
 *
 * <p>Counters ({@link #stats()}): authentications accepted and rejected by {@link Rejection},
 * connections opened and open; {@link #plaintextConnectionsRefused()}. Fault injection is
 * inherited: {@link #dropAllConnections()}, {@link #refuseNewConnections(Duration)}. Tokens and the
 * backend secrets never appear in logs, messages or {@link #toString()}.
 *
 * <p>Password users beside IAM users, as during a migration to IAM ({@link
 * Builder#passwordUser(String, String)}, {@link #addPasswordUser(String, String)}): the emulator
 * gives the real server's user that password and logs the client in with the password it sent, so
 * the server judges it. Every other user logs in with a token, as if {@code IDENTIFIED WITH
 * AWSAuthenticationPlugin}; a user {@link Builder#iamUser(String) granted IAM} logs in with a token
 * only. {@link #removeIamUser(String)} revokes IAM at run time: tokens then get error 1045, and a
 * password user's password works again. Counters under AWS's names: {@link #metrics()}.
 *
 * <p>Not emulated: compression (not offered), backends whose users need {@code
 * caching_sha2_password} full authentication (MySQL 8 defaults; use MariaDB, or native passwords).
 */
public final class RdsMySqlEmulator extends RdsEmulator {
  private static final Logger log = LoggerFactory.getLogger(RdsMySqlEmulator.class);
  private static final String NAME = "rds-mysql";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What we never pass to the plaintext, local backend or offer to clients. */
  private static final int NOT_RELAYED =
      MySqlWire.CLIENT_SSL
          | MySqlWire.CLIENT_COMPRESS
          | MySqlWire.CLIENT_ZSTD_COMPRESSION
          | MySqlWire.CLIENT_SSL_VERIFY_SERVER_CERT
          | MySqlWire.CLIENT_REMEMBER_OPTIONS;

  private static final int ER_ACCESS_DENIED = 1045;
  private static final int ER_NOT_SUPPORTED_AUTH_MODE = 1251;
  private static final int ER_SECURE_TRANSPORT_REQUIRED = 3159;
  private static final int ER_UNKNOWN_ERROR = 1105;

  private final List<String> grantDatabases;
  // The emulator's secret per IAM user, and the password each user has on the backend now.
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, String> current = new ConcurrentHashMap<>();
  private final Map<String, Object> userLocks = new ConcurrentHashMap<>();
  private final Set<String> granted = ConcurrentHashMap.newKeySet();
  private final AtomicLong plaintextRefused = new AtomicLong();
  private @Nullable Path trustStore;

  private RdsMySqlEmulator(Settings s, List<String> grantDatabases) {
    super(NAME, "RDS MySQL", s);
    this.grantDatabases = List.copyOf(grantDatabases);
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

  /** The databases every provisioned user gets all privileges on, besides the one it names. */
  public List<String> grantDatabases() {
    return grantDatabases;
  }

  /**
   * A MariaDB Connector/J URL with {@code sslMode=verify-full} against {@link #caPemFile()}; pass
   * the user and the token as the password.
   *
   * @param database the database
   * @return e.g. {@code jdbc:mariadb://localhost:41234/test?sslMode=verify-full&serverSslCert=…}
   */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://"
        + endpointHost
        + ":"
        + port()
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8)
        + "?sslMode=verify-full&serverSslCert="
        // Connector/J takes option values as they are, without URL decoding.
        + caPemFile();
  }

  /**
   * A MySQL Connector/J URL with {@code sslMode=VERIFY_IDENTITY} against a PKCS#12 trust store
   * holding the CA (written once to a temporary file, deleted on exit); pass the user and the token
   * as the password. Connector/J sends {@code mysql_clear_password} only over TLS, as here.
   *
   * @param database the database
   * @return e.g. {@code jdbc:mysql://localhost:41234/test?sslMode=VERIFY_IDENTITY&…}
   * @throws UncheckedIOException if the trust store cannot be written
   */
  public String mysqlJdbcUrl(String database) {
    return "jdbc:mysql://"
        + endpointHost
        + ":"
        + port()
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8)
        + "?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreType=PKCS12"
        + "&trustCertificateKeyStoreUrl="
        + URLEncoder.encode(trustStoreFile().toUri().toString(), StandardCharsets.UTF_8)
        + "&trustCertificateKeyStorePassword="
        + URLEncoder.encode(tls.trustStorePassword(), StandardCharsets.UTF_8);
  }

  private synchronized Path trustStoreFile() {
    Path f = trustStore;
    if (f == null) {
      try {
        f = Files.createTempFile("iamauth4j-truststore-", ".p12");
        f.toFile().deleteOnExit();
        tls.writeTrustStore(f);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the emulator's trust store", e);
      }
      trustStore = f;
    }
    return f;
  }

  /** Connections refused because the client did not ask for TLS. */
  public long plaintextConnectionsRefused() {
    return plaintextRefused.get();
  }

  @Override
  protected void serve(ClientConnection c) throws IOException {
    c.socket().setSoTimeout(Settings.timeoutMillis(handshakeTimeout));
    MySqlBackend backend;
    try {
      backend = MySqlBackend.connect(backendHost, backendPort, backendConnectTimeout);
    } catch (MySqlBackend.BackendError e) {
      MySqlWire.write(c.out(), 0, e.payload());
      return;
    } catch (IOException e) {
      MySqlWire.write(
          c.out(),
          0,
          MySqlWire.error(
              ER_UNKNOWN_ERROR,
              "HY000",
              "the RDS emulator could not connect to its backend "
                  + backendHost
                  + ":"
                  + backendPort
                  + ": "
                  + e));
      return;
    }
    try {
      serve(c, backend);
    } finally {
      backend.close();
    }
  }

  private void serve(ClientConnection c, MySqlBackend backend) throws IOException {
    MySqlHandshake.Greeting real = backend.greeting();
    int offered =
        (real.capabilities & ~NOT_RELAYED)
            | MySqlWire.CLIENT_SSL
            | MySqlWire.CLIENT_PROTOCOL_41
            | MySqlWire.CLIENT_SECURE_CONNECTION
            | MySqlWire.CLIENT_PLUGIN_AUTH;
    MySqlWire.write(c.out(), 0, real.with(scramble(), offered, MySqlWire.NATIVE_PASSWORD).encode());
    // The client starts TLS right behind its SSLRequest; ClientConnection.upgradeToTls hands
    // whatever was read ahead to the handshake.
    MySqlWire.Packet first = MySqlWire.read(c.in());
    int caps = MySqlHandshake.Response.capabilities(first.payload);
    String clientHost = c.socket().getInetAddress().getHostAddress();
    if ((caps & MySqlWire.CLIENT_SSL) == 0) {
      plaintextRefused.incrementAndGet();
      log.info("{} emulator: {} refused: the client did not ask for TLS", NAME, c);
      MySqlWire.write(
          c.out(),
          first.sequence + 1,
          MySqlWire.error(
              ER_SECURE_TRANSPORT_REQUIRED,
              "HY000",
              "Connections using insecure transport are prohibited while"
                  + " --require_secure_transport=ON."));
      return;
    }
    c.upgradeToTls(serverContext);
    MySqlWire.Packet reply = MySqlWire.read(c.in());
    MySqlHandshake.Response response = MySqlHandshake.Response.parse(reply.payload);
    int sequence = reply.sequence;
    String user = response.user;
    byte[] token;
    if (MySqlWire.CLEAR_PASSWORD.equals(response.plugin)) {
      token = response.authResponse;
    } else if ((response.capabilities & MySqlWire.CLIENT_PLUGIN_AUTH) == 0) {
      MySqlWire.write(
          c.out(),
          sequence + 1,
          MySqlWire.error(
              ER_NOT_SUPPORTED_AUTH_MODE,
              "08004",
              "Client does not support authentication protocol requested by server;"
                  + " consider upgrading MySQL client"));
      return;
    } else {
      ByteArrayOutputStream authSwitch = new ByteArrayOutputStream();
      authSwitch.write(0xfe);
      MySqlWire.cstring(authSwitch, MySqlWire.CLEAR_PASSWORD);
      MySqlWire.write(c.out(), ++sequence, authSwitch.toByteArray());
      MySqlWire.Packet answer;
      try {
        answer = MySqlWire.read(c.in());
      } catch (EOFException e) {
        log.info(
            "{} emulator: {} closed instead of sending a cleartext password (is the client's"
                + " mysql_clear_password plugin enabled?)",
            NAME,
            c);
        return;
      }
      sequence = answer.sequence;
      token = answer.payload;
    }
    String tokenText = withoutNul(token);
    RdsUsers.Mode mode = users.mode(user);
    String backendPassword;
    if (mode == RdsUsers.Mode.PASSWORD) {
      String configured = users.password(user);
      if (configured == null) {
        stats().recordPasswordRejected();
        accessDenied(c, sequence + 1, user, clientHost, tokenText);
        return;
      }
      try {
        provisionPassword(user, response.database, configured);
      } catch (IOException e) {
        provisionFailed(c, sequence + 1, user, e);
        return;
      }
      // The client's own password: the real server judges it.
      backendPassword = tokenText;
    } else {
      Verdict verdict = verifier().verify(user, tokenText);
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
        accessDenied(c, sequence + 1, user, clientHost, tokenText);
        return;
      }
      stats().recordAccepted(false);
      log.debug("{} emulator: {} accepted the token of user \"{}\"", NAME, c, user);
      try {
        backendPassword = provision(user, response.database);
      } catch (IOException e) {
        provisionFailed(c, sequence + 1, user, e);
        return;
      }
    }
    int backendCaps =
        (response.capabilities
                & (real.capabilities | MySqlWire.CLIENT_LONG_PASSWORD)
                & ~NOT_RELAYED)
            | MySqlWire.CLIENT_PROTOCOL_41
            | MySqlWire.CLIENT_SECURE_CONNECTION
            | MySqlWire.CLIENT_PLUGIN_AUTH;
    if (response.database == null) {
      backendCaps &= ~MySqlWire.CLIENT_CONNECT_WITH_DB;
    }
    if (response.attributes == null) {
      backendCaps &= ~MySqlWire.CLIENT_CONNECT_ATTRS;
    }
    MySqlWire.Packet result =
        backend.login(
            response.with(backendCaps, new byte[0], MySqlWire.NATIVE_PASSWORD), backendPassword);
    boolean ok = result.first() == 0x00;
    if (mode == RdsUsers.Mode.PASSWORD) {
      if (ok) {
        stats().recordPasswordAccepted();
      } else {
        stats().recordPasswordRejected();
      }
    }
    // The server's OK (or ERR) goes to the client as the answer to its token or password.
    MySqlWire.write(c.out(), sequence + 1, result.payload);
    if (!ok) {
      log.info(
          "{} emulator: {} the backend refused user \"{}\": {}",
          NAME,
          c,
          user,
          MySqlWire.describeError(result.payload));
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
  }

  private static void accessDenied(
      ClientConnection c, int sequence, String user, String clientHost, String credential)
      throws IOException {
    MySqlWire.write(
        c.out(),
        sequence,
        MySqlWire.error(
            ER_ACCESS_DENIED,
            "28000",
            "Access denied for user '"
                + user
                + "'@'"
                + clientHost
                + "' (using password: "
                + (credential.isEmpty() ? "NO" : "YES")
                + ")"));
  }

  private void provisionFailed(ClientConnection c, int sequence, String user, IOException e)
      throws IOException {
    log.warn("{} emulator: could not prepare user \"{}\": {}", NAME, user, e.getMessage());
    MySqlWire.write(
        c.out(),
        sequence,
        MySqlWire.error(
            ER_UNKNOWN_ERROR,
            "HY000",
            "the RDS emulator could not prepare user '"
                + user
                + "' on its backend "
                + backendHost
                + ":"
                + backendPort
                + ": "
                + e.getMessage()));
  }

  /** The backend password of {@code user}, creating or resetting the user on first use. */
  private String provision(String user, @Nullable String database) throws IOException {
    if (user.equals(adminUser)) {
      return adminPassword;
    }
    String secret = secrets.computeIfAbsent(user, u -> Secrets.generate());
    provisionPassword(user, database, secret);
    return secret;
  }

  /**
   * Makes sure {@code '<user>'@'%'} exists with {@code password} and all privileges on {@code
   * database} and the configured databases.
   */
  private void provisionPassword(String user, @Nullable String database, String password)
      throws IOException {
    if (!password.equals(current.get(user))) {
      synchronized (userLocks.computeIfAbsent(user, k -> new Object())) {
        if (!password.equals(current.get(user))) {
          setUser(user, password);
          current.put(user, password);
        }
      }
    }
    if (database != null && !database.isEmpty() && !granted.contains(user + '\0' + database)) {
      try (MySqlBackend admin = adminSession()) {
        admin.execute(grant(user, database));
        admin.quit();
      }
      granted.add(user + '\0' + database);
    }
  }

  private void setUser(String user, String password) throws IOException {
    String account = literal(user) + "@'%'";
    try (MySqlBackend admin = adminSession()) {
      admin.execute("CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY " + literal(password));
      admin.execute("ALTER USER " + account + " IDENTIFIED BY " + literal(password));
      for (String db : grantDatabases) {
        admin.execute(grant(user, db));
        granted.add(user + '\0' + db);
      }
      admin.quit();
      log.debug("{} emulator: prepared user '{}'@'%' on the backend", NAME, user);
    } catch (IOException e) {
      throw new IOException(
          Secrets.redact(String.valueOf(e.getMessage()), password, adminPassword), e);
    }
  }

  private MySqlBackend adminSession() throws IOException {
    MySqlBackend b = MySqlBackend.connect(backendHost, backendPort, backendConnectTimeout);
    try {
      MySqlHandshake.Greeting g = b.greeting();
      int caps =
          (MySqlWire.CLIENT_LONG_PASSWORD
                  | MySqlWire.CLIENT_PROTOCOL_41
                  | MySqlWire.CLIENT_TRANSACTIONS
                  | MySqlWire.CLIENT_SECURE_CONNECTION
                  | MySqlWire.CLIENT_MULTI_RESULTS
                  | MySqlWire.CLIENT_PLUGIN_AUTH)
              & (g.capabilities | MySqlWire.CLIENT_LONG_PASSWORD);
      MySqlHandshake.Response login =
          new MySqlHandshake.Response(
              caps,
              1 << 24,
              g.charset,
              new byte[23],
              adminUser,
              new byte[0],
              null,
              MySqlWire.NATIVE_PASSWORD,
              null);
      MySqlWire.Packet result = b.login(login, adminPassword);
      if (result.first() != 0x00) {
        throw new MySqlBackend.BackendError(result.payload);
      }
      return b;
    } catch (IOException | RuntimeException e) {
      b.close();
      throw e;
    }
  }

  private static String grant(String user, String database) {
    return "GRANT ALL PRIVILEGES ON " + identifier(database) + ".* TO " + literal(user) + "@'%'";
  }

  static String identifier(String name) {
    return '`' + name.replace("`", "``") + '`';
  }

  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  private static String withoutNul(byte[] b) {
    int n = b.length;
    while (n > 0 && b[n - 1] == 0) {
      n--;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  /** 20 printable bytes, as servers send. */
  private static byte[] scramble() {
    byte[] s = new byte[20];
    for (int i = 0; i < s.length; i++) {
      s[i] = (byte) (33 + RANDOM.nextInt(94));
    }
    return s;
  }

  /**
   * Builds and starts a {@link RdsMySqlEmulator}. Setters check their argument at once; {@link
   * #start()} reports every missing setting together. The {@link #backendAdmin(String, String)
   * admin} is an account that may create users and grant privileges (e.g. {@code root}); it logs in
   * with {@code mysql_native_password}.
   */
  public static final class Builder extends RdsEmulator.Builder<Builder, RdsMySqlEmulator> {
    private final Set<String> grantDatabases = new LinkedHashSet<>();

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * A database every provisioned user gets all privileges on, even when it connects without
     * naming it; may be called several times. By default users get privileges only on the database
     * they connect to.
     *
     * @param database a database name
     * @return this builder
     */
    public Builder grantDatabase(String database) {
      if (Objects.requireNonNull(database, "grantDatabase").isEmpty()) {
        throw new IllegalArgumentException("grantDatabase: must not be empty");
      }
      grantDatabases.add(database);
      return this;
    }

    /**
     * Starts the emulator: listens on {@code 127.0.0.1} and serves each connection on its own
     * thread, each with its own connection to the real server.
     *
     * @return the running emulator; close it to stop
     * @throws IamConfigurationException listing every missing setting
     * @throws UncheckedIOException if the port cannot be bound
     */
    @Override
    public RdsMySqlEmulator start() {
      RdsMySqlEmulator e =
          startWith(settings -> new RdsMySqlEmulator(settings, new ArrayList<>(grantDatabases)));
      log.info("Started {}", e);
      return e;
    }
  }
}
