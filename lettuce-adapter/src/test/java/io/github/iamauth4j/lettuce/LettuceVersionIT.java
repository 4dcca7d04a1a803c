package io.github.iamauth4j.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.LettuceVersion;
import io.netty.util.Version;
import org.junit.jupiter.api.Test;

/**
 * Which Lettuce (and Netty) the integration tests of this run actually use: the build runs them
 * once on the newest Lettuce and once on the lowest supported one, each with its own Netty.
 */
class LettuceVersionIT {

  @Test
  void runsOnTheLettuceVersionThisExecutionIsFor() {
    String expected = System.getProperty("iamauth4j.lettuce.expected");
    assertThat(expected).as("system property iamauth4j.lettuce.expected").isNotBlank();

    assertThat(LettuceVersion.getVersion()).startsWith(expected);
  }

  @Test
  void runsOnTheNettyThatLettuceVersionWasBuiltWith() {
    String expected = System.getProperty("iamauth4j.netty.expected");
    assertThat(expected).as("system property iamauth4j.netty.expected").isNotBlank();

    assertThat(Version.identify().get("netty-common").artifactVersion()).startsWith(expected);
  }
}
