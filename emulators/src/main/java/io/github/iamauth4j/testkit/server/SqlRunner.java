package io.github.iamauth4j.testkit.server;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Runs an SQL script with a database's command-line client, locally or in the container. */
@FunctionalInterface
interface SqlRunner {
  /** How long a local client may run. */
  Duration TIMEOUT = Duration.ofMinutes(2);

  /**
   * Runs {@code sql} as {@code user} in {@code database}, authenticating with {@code password}.
   *
   * @return the client's exit code and output
   * @throws ServerCommandException if the client cannot be run or does not finish in time
   */
  Cli.Result run(String user, String password, String database, String sql);

  /**
   * Runs a local client with the script on standard input, and the password in the environment (not
   * in the process list).
   *
   * @param command from the user and the database to the client and its arguments
   * @param env from the password to the client's environment variables
   * @param clearEnv the prefix of the client's variables, which are not inherited
   */
  static SqlRunner local(
      BiFunction<String, String, List<String>> command,
      Function<String, Map<String, String>> env,
      String clearEnv) {
    return (user, password, database, sql) -> {
      List<String> args = command.apply(user, database);
      try {
        return Cli.run(args, env.apply(password), List.of(clearEnv), sql, TIMEOUT, null);
      } catch (UncheckedIOException e) {
        throw new ServerCommandException(
            "could not run " + args.get(0) + ": " + e.getMessage(), -1);
      }
    };
  }
}
