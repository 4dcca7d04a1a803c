package io.github.iamauth4j.testkit.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The options the SQL launchers add to {@link ServerBuilder}'s: the database to create, and where
 * the server's programs are.
 *
 * @param <B> the launcher's builder, which the setters return
 * @param <S> the server it starts
 */
abstract class SqlServerBuilder<B extends SqlServerBuilder<B, S>, S extends SqlServer>
    extends ServerBuilder<B, S> {
  private String database;
  private @Nullable Path binDir;

  SqlServerBuilder(String defaultImage, String defaultDatabase) {
    super(defaultImage);
    this.database = defaultDatabase;
  }

  /**
   * Sets the database the launcher creates and the SQL helpers and {@code jdbcUrl()} use. Default:
   * {@code test}.
   *
   * @param database a database name
   * @return this builder
   * @throws IllegalArgumentException if {@code database} is blank
   */
  public B database(String database) {
    if (Objects.requireNonNull(database, "database").isBlank()) {
      throw new IllegalArgumentException("database: must not be blank");
    }
    this.database = database;
    return self();
  }

  /**
   * Uses the server's programs (server, initialisation and client) in this directory instead of
   * looking them up; the launcher's class documentation says which programs and where else it
   * looks.
   *
   * @param binDir e.g. {@code /usr/lib/postgresql/16/bin}
   * @return this builder
   */
  public B binDir(Path binDir) {
    this.binDir = Objects.requireNonNull(binDir, "binDir");
    return self();
  }

  /**
   * Runs the launcher's own setup on a fresh server (the administrator's password, the database) as
   * {@code admin}, over the Unix socket where no password is needed yet.
   *
   * @param password the administrator's new password, masked in the message
   * @throws ServerStartException if the setup fails
   */
  final void setUp(
      LocalProcess process,
      SqlRunner socketClient,
      String admin,
      String database,
      String sql,
      String password) {
    Cli.Result result = socketClient.run(admin, "", database, sql);
    if (!result.ok()) {
      throw process.failure(
          "could not set up the administrator and database \""
              + this.database
              + "\" on "
              + process.name()
              + ": "
              + Redact.text(result.stderr().strip(), List.of(password)),
          null);
    }
  }

  final String database() {
    return database;
  }

  final @Nullable Path binDir() {
    return binDir;
  }
}
