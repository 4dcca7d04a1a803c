package io.github.iamauth4j.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.core.SigV4Presigner;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

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
    assertThat(b.prototypeCachedKey()).isEqualTo(cached);
    assertThat(b.minimalFixCachedKey()).isEqualTo(cached);
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
  void prototypesMatchThePresignerAcrossDaysTargetsAndCredentials() {
    SigV4Presigner presigner = SigV4Presigner.create();
    Duration expiry = Duration.ofMinutes(15);
    for (Instant at :
        List.of(Inputs.AT, Inputs.AT.plusSeconds(86_399), Inputs.AT.plus(Duration.ofDays(40)))) {
      for (String target : List.of("rds", "elasticache", "rds")) {
        for (boolean session : List.of(true, false, true)) {
          IamTarget t = Inputs.target(target);
          AwsCredentials c = Inputs.credentials(session);
          assertThat(PrototypePresigner.presign(t, "eu-west-1", c, at, expiry))
              .isEqualTo(presigner.presign(t, "eu-west-1", c, at, expiry));
          assertThat(MinimalFixPresigner.presign(t, "eu-west-1", c, at, expiry))
              .isEqualTo(presigner.presign(t, "eu-west-1", c, at, expiry));
          assertThat(PrototypePresigner.presign(t, Inputs.REGION, c, at, expiry))
              .isEqualTo(presigner.presign(t, Inputs.REGION, c, at, expiry));
        }
      }
    }
    AwsCredentials other = AwsSessionCredentials.create("ASIAOTHER", "otherSecret", "tok+en/=");
    IamTarget t = Inputs.target("rds");
    assertThat(PrototypePresigner.presign(t, Inputs.REGION, other, Inputs.AT, expiry))
        .isEqualTo(presigner.presign(t, Inputs.REGION, other, Inputs.AT, expiry));
    assertThat(MinimalFixPresigner.presign(t, Inputs.REGION, other, Inputs.AT, expiry))
        .isEqualTo(presigner.presign(t, Inputs.REGION, other, Inputs.AT, expiry));
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
