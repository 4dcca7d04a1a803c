/**
 * Local stand-ins for RDS endpoints that use IAM database authentication, in front of real servers:
 * {@link io.github.iamauth4j.testkit.rds.RdsPostgresEmulator} (a TLS PostgreSQL endpoint that asks
 * for a cleartext password) and {@link io.github.iamauth4j.testkit.rds.RdsMySqlEmulator} (a TLS
 * MySQL endpoint that switches the client to {@code mysql_clear_password}), and {@link
 * io.github.iamauth4j.testkit.rds.DsqlEmulator} (an Aurora DSQL cluster endpoint: {@code dsql}
 * tokens, direct TLS, the one-hour session limit and the connection quotas).
 *
 * <p>Each verifies the {@code rds-db} token presented as the password the way RDS does (signature
 * against trusted test credentials, the {@code host:port} it was signed for, {@code DBUser} equal
 * to the login user, region, expiry), answers a bad token with RDS's own error, and otherwise logs
 * in to the real server as the same user with a secret only the emulator knows, then relays the
 * session byte for byte. What both share (endpoint, region, trusted credentials, TLS, backend, the
 * token verifier and the common builder settings) is in {@link
 * io.github.iamauth4j.testkit.rds.RdsEmulator}.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.builder().start();
 *     RdsPostgresEmulator rds = RdsPostgresEmulator.builder()
 *         .backend(pg.host(), pg.port())
 *         .backendAdmin(pg.superuser(), pg.superuserPassword())
 *         .start()) {
 *   String token = IamTokenGenerator.builder()
 *       .target(rds.target("app"))          // localhost:<emulator port>, DBUser app
 *       .region(rds.region())
 *       .credentialsProvider(TrustedCredentials.example().asProvider())
 *       .build().generate().value();
 *   // psql "host=localhost port=<rds.port()> user=app dbname=test sslmode=verify-full
 *   //       sslrootcert=<rds.caPemFile()>" with PGPASSWORD=<token>
 * }
 * }</pre>
 */
@NullMarked
package io.github.iamauth4j.testkit.rds;

import org.jspecify.annotations.NullMarked;
