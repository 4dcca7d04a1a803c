package io.github.iamauth4j.testkit.server;

import java.util.List;
import java.util.Objects;

/**
 * What the SQL servers share: an administrator with a password generated per server, the database
 * the launcher created, and SQL run with the server's own command-line client rather than a JDBC
 * driver, so that the emulators put no driver on the test classpath (the adapters' tests choose
 * their own driver and version).
 */
abstract class SqlServer extends LaunchedServer {
  /**
   * What the shared code needs to know of a database engine.
   *
   * @param client how messages name its command-line client, e.g. {@code psql}
   * @param adminUser the administrator's account, e.g. {@code postgres}
   * @param jdbcSubprotocol what follows {@code jdbc:} in its driver's URLs, e.g. {@code postgresql}
   */
  record Engine(String client, String adminUser, String jdbcSubprotocol) {}

  private final Engine engine;
  private final String adminPassword;
  private final String database;
  private final SqlRunner sql;

  SqlServer(
      Engine engine,
      SqlServerBuilder<?, ?> options,
      Site site,
      ServerHandle handle,
      String adminPassword,
      SqlRunner sql) {
    super(site, options.keepLogs(), handle);
    this.engine = engine;
    this.adminPassword = adminPassword;
    this.database = options.database();
    this.sql = sql;
  }

  /**
   * Returns the database the launcher created.
   *
   * @return the database name, {@code test} by default
   */
  public String database() {
    return database;
  }

  /**
   * Returns a JDBC URL for {@link #database()}, without credentials, for the engine's own driver
   * (PostgreSQL's pgjdbc, MariaDB Connector/J).
   *
   * @return e.g. {@code jdbc:postgresql://127.0.0.1:41234/test} or {@code
   *     jdbc:mariadb://127.0.0.1:41234/test}
   */
  public String jdbcUrl() {
    return jdbcUrl(engine.jdbcSubprotocol());
  }

  /**
   * Runs SQL as the administrator in {@link #database()} with the server's client over TCP,
   * statement by statement, stopping at the first error.
   *
   * @param sql one or more statements separated by {@code ;}
   * @return the rows, one line per row, without a header and without the trailing line break; empty
   *     for statements without rows. Columns are separated by {@code |} ({@code psql -At}) or by a
   *     tab (the {@code mariadb} client's batch format)
   * @throws ServerCommandException if a statement fails or the client cannot connect
   */
  public String execute(String sql) {
    return executeAs(engine.adminUser(), adminPassword, sql);
  }

  /**
   * Runs SQL as another user in {@link #database()} over TCP, authenticating with a password, e.g.
   * to check that a user created by a test can log in.
   *
   * @param user the user to connect as
   * @param password its password
   * @param sql one or more statements
   * @return the rows, as for {@link #execute(String)}
   * @throws ServerCommandException if authentication or a statement fails
   */
  public String executeAs(String user, String password, String sql) {
    return executeAs(user, password, database, sql);
  }

  /**
   * Runs SQL as a user in a given database; see {@link #execute(String)}.
   *
   * @param user the user to connect as
   * @param password its password
   * @param database the database to connect to; for MariaDB {@code ""} means none
   * @param sql one or more statements
   * @return the rows, as for {@link #execute(String)}
   * @throws ServerCommandException if authentication or a statement fails
   */
  public String executeAs(String user, String password, String database, String sql) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(sql, "sql");
    Cli.Result result = this.sql.run(user, password, database, sql);
    if (!result.ok()) {
      throw new ServerCommandException(
          engine.client()
              + " as \""
              + user
              + "\" on "
              + this
              + (database.isEmpty() ? "" : " (database \"" + database + "\")")
              + " failed with exit code "
              + result.exitCode()
              + ": "
              + Redact.text(result.stderr().strip(), List.of(password, adminPassword)),
          result.exitCode());
    }
    String out = result.stdout();
    return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
  }

  /** The administrator's password. */
  final String password() {
    return adminPassword;
  }

  /** A JDBC URL for {@link #database()}, without credentials, e.g. {@code jdbc:mysql://...}. */
  final String jdbcUrl(String subprotocol) {
    return "jdbc:" + subprotocol + "://" + host() + ":" + port() + "/" + database;
  }

  /**
   * Encloses {@code text} in {@code quote}, doubling the quote inside: the SQL standard's quoting
   * of literals ({@code '}) and identifiers ({@code "}, MariaDB's {@code `}).
   */
  static String quote(char quote, String text) {
    String q = String.valueOf(quote);
    return q + text.replace(q, q + q) + q;
  }
}
