package io.github.iamauth4j.jedis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;

/**
 * Which Jedis the integration tests of this run actually use: the build runs them once on the
 * newest Jedis and once on the lowest supported one.
 */
class JedisVersionIT {

  @Test
  void runsOnTheJedisVersionThisExecutionIsFor() {
    String expected = System.getProperty("iamauth4j.jedis.expected");
    assertThat(expected).as("system property iamauth4j.jedis.expected").isNotBlank();

    String jar = Connection.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertThat(jar).endsWith("/jedis-" + expected + ".jar");
  }
}
