/**
 * The soak harness: drives one adapter (Lettuce, Jedis, valkey-java, Redisson, or the JDBC adapter
 * with HikariCP) against the emulators in front of real servers, with the connection limit and the
 * token life compressed, and reports latency in steady state and inside re-authentication waves,
 * {@code AUTH}s per connection, tokens minted, failures, and connect latency with IAM against a
 * static password. {@code java -jar benchmarks/target/benchmarks.jar soak --help}; see {@code
 * benchmarks/README.md}.
 */
@org.jspecify.annotations.NullMarked
package io.github.iamauth4j.benchmarks.soak;
