package io.github.iamauth4j.valkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.valkey.JedisPooled;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Each failsafe execution runs on the valkey-java version it claims (newest, then lowest). */
class ValkeyVersionIT {
  @Test
  void runsOnTheExpectedValkeyJava() throws Exception {
    String expected = System.getProperty("iamauth4j.valkey.expected");
    assertThat(expected).as("system property iamauth4j.valkey.expected").isNotBlank();
    Properties p = new Properties();
    // What valkey-java reports as its own version (JedisMetaInfo reads the same file).
    try (InputStream in = JedisPooled.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      assertThat(in).as(RESOURCE).isNotNull();
      p.load(in);
    }
    assertThat(p.getProperty("version")).as("valkey-java on the classpath").isEqualTo(expected);
  }

  private static final String RESOURCE = "io/valkey/pom.properties";
}
