package io.github.iamauth4j.testkit.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The SQL launchers quote identifiers and literals each in its engine's dialect. */
class SqlQuotingTest {

  @Test
  void postgresDoublesDoubleQuotesInIdentifiersAndSingleQuotesInLiterals() {
    assertThat(PostgresServer.quoteIdentifier("app\"x")).isEqualTo("\"app\"\"x\"");
    assertThat(PostgresServer.quoteIdentifier("orders")).isEqualTo("\"orders\"");
    assertThat(PostgresServer.quoteLiteral("it's")).isEqualTo("'it''s'");
    assertThat(PostgresServer.quoteLiteral("a\\b")).isEqualTo("'a\\b'");
  }

  @Test
  void mariaDbDoublesBackticksInIdentifiersAndEscapesLiteralsWithBackslashes() {
    assertThat(MariaDbServer.quoteIdentifier("a`b")).isEqualTo("`a``b`");
    assertThat(MariaDbServer.quoteLiteral("it's")).isEqualTo("'it\\'s'");
    assertThat(MariaDbServer.quoteLiteral("a\\b")).isEqualTo("'a\\\\b'");
  }
}
