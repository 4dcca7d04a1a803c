package io.github.iamauth4j.redisson;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;

/**
 * The integration tests run twice, on the newest Redisson and on the lowest supported one (with the
 * Netty it was built with): this checks that each run has the client it claims.
 */
class ClientVersionIT {
  @Test
  void runsOnTheRedissonAndNettyThisRunIsFor() {
    String expected = System.getProperty("iamauth4j.redisson.expected");
    String netty = System.getProperty("iamauth4j.netty.expected");
    assertThat(expected).as("iamauth4j.redisson.expected (set by the build)").isNotBlank();
    assertThat(netty).as("iamauth4j.netty.expected (set by the build)").isNotBlank();

    assertThat(Redisson.class.getPackage().getImplementationVersion())
        .as("the Redisson on the classpath")
        .isEqualTo(expected);
    assertThat(Version.identify().get("netty-common").artifactVersion())
        .as("the Netty on the classpath")
        .startsWith(netty);
  }
}
