package io.github.iamauth4j.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.AuthToken;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmarks compare like with like: every path signs the same token. Runs each benchmark
 * method once; never measures time (that is what the JMH run is for).
 */
class BenchmarkInputsTest {

  @ParameterizedTest
  @CsvSource({"rds,false", "rds,true", "elasticache,false", "elasticache,true"})
  void everySignerPathProducesTheSameToken(String target, boolean session) throws Exception {
    SignerBenchmark b = new SignerBenchmark();
    b.target = target;
    b.session = session;
    b.setup();

    String cached = b.cachedKey();
    assertThat(b.coldKey()).isEqualTo(cached);
    assertThat(Inputs.signatureOf(b.sdkAwsV4HttpSigner())).isEqualTo(Inputs.signatureOf(cached));
    assertThat(SignerBenchmark.hex(b.floor())).isEqualTo(Inputs.signatureOf(cached));
    assertThat(cached.contains("X-Amz-Security-Token=")).isEqualTo(session);
    assertThat(cached).startsWith(Inputs.target(target).signedHost() + "/?");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void rdsUtilitiesSignsTheRdsInput(boolean session) throws GeneralSecurityException {
    RdsUtilitiesBenchmark b = new RdsUtilitiesBenchmark();
    b.session = session;
    b.setup();

    SignerBenchmark ours = new SignerBenchmark();
    ours.target = "rds";
    ours.session = session;
    ours.setup();
    assertThat(Inputs.signatureOf(b.sdkRdsUtilities()))
        .isEqualTo(Inputs.signatureOf(ours.cachedKey()));
  }

  @Test
  void cachedReadReturnsTheCachedToken() {
    CachedTokenBenchmark b = new CachedTokenBenchmark();
    b.setup();
    try {
      AuthToken first = b.cachedRead();
      assertThat(b.cachedRead()).isSameAs(first);
      assertThat(b.cachedRead2Threads()).isSameAs(first);
      assertThat(first.userName()).isEqualTo(Inputs.CACHE_USER);
    } finally {
      b.tearDown();
    }
  }
}
