/**
 * Launchers that start real servers for integration tests: {@link
 * io.github.iamauth4j.testkit.server.RedisServer}, {@link
 * io.github.iamauth4j.testkit.server.RedisCluster}, {@link
 * io.github.iamauth4j.testkit.server.PostgresServer} and {@link
 * io.github.iamauth4j.testkit.server.MariaDbServer}.
 *
 * <p>Each launcher starts the installed server binaries on free ports of {@code 127.0.0.1}, in a
 * fresh temporary directory that holds the data, the sockets and the server log. When the binaries
 * are missing and a Docker engine is reachable, the standalone launchers fall back to a container
 * through Testcontainers (if it is on the classpath). When neither is possible they throw one
 * {@link io.github.iamauth4j.testkit.server.ServerUnavailableException} that names both ways to get
 * a server.
 *
 * <p>Every launcher is {@link java.lang.AutoCloseable}: {@code close()} stops the server
 * (gracefully, then forcibly) and deletes its directory, unless the server failed or logs are kept
 * ({@code keepLogs(true)} on the builder, or the system property {@code
 * iamauth4j.testkit.keepLogs=true}). A JVM shutdown hook stops whatever is still running, so
 * servers never outlive the JVM that started them (unless that JVM is killed with {@code SIGKILL}).
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().config("user default off",
 *         "user admin on >secret ~* &* +@all").auth("admin", "secret").start()) {
 *   redis.command("SET", "k", "v");
 * }
 * }</pre>
 */
@NullMarked
package io.github.iamauth4j.testkit.server;

import org.jspecify.annotations.NullMarked;
