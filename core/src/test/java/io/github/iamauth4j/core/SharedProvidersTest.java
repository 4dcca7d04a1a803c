package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The JVM-wide registry behind {@link IamTokenProvider#shared(IamAuthConfig)}. */
class SharedProvidersTest {
  final FakeCredentials creds = FakeCredentials.basic();

  IamAuthConfig config(String cache) {
    return IamAuthConfig.builder()
        .target(IamTarget.elastiCache(cache, "app"))
        .region("us-east-1")
        .credentialsProvider(creds)
        .build();
  }

  @Test
  void oneProviderPerTokenSourceClosedWithTheLastLease() {
    int before = SharedProviders.size();
    IamTokenProvider.Lease a = IamTokenProvider.shared(config("shared-a"));
    IamTokenProvider.Lease b = IamTokenProvider.shared(config("shared-a"));
    IamTokenProvider.Lease other = IamTokenProvider.shared(config("shared-b"));
    assertThat(a.provider()).isSameAs(b.provider());
    assertThat(other.provider()).isNotSameAs(a.provider());
    assertThat(SharedProviders.size()).isEqualTo(before + 2);

    a.close();
    a.close(); // a second close of the same lease does not release another's
    assertThat(b.provider().isClosed()).isFalse();
    b.close();
    assertThat(b.provider().isClosed()).isTrue();
    other.close();
    assertThat(SharedProviders.size()).isEqualTo(before);
    assertThatThrownBy(() -> b.provider().token()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void differentCredentialsProvidersOrExpiriesAreNotShared() {
    IamAuthConfig one = config("shared-c");
    IamAuthConfig otherCreds = one.toBuilder().credentialsProvider(FakeCredentials.basic()).build();
    IamAuthConfig otherExpiry = one.toBuilder().expiry(Duration.ofMinutes(5)).build();
    try (IamTokenProvider.Lease a = IamTokenProvider.shared(one);
        IamTokenProvider.Lease b = IamTokenProvider.shared(otherCreds);
        IamTokenProvider.Lease c = IamTokenProvider.shared(otherExpiry)) {
      assertThat(a.provider()).isNotSameAs(b.provider()).isNotSameAs(c.provider());
    }
  }

  @Test
  void aNewLeaseAfterTheLastCloseGetsAFreshProvider() {
    IamTokenProvider first;
    try (IamTokenProvider.Lease a = IamTokenProvider.shared(config("shared-d"))) {
      first = a.provider();
    }
    try (IamTokenProvider.Lease b = IamTokenProvider.shared(config("shared-d"))) {
      assertThat(b.provider()).isNotSameAs(first);
      assertThat(b.provider().isClosed()).isFalse();
    }
  }

  @Test
  void theListenersOfEveryLeaseHearTheSharedProviderOnceUntilTheirLeaseCloses() {
    java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    IamAuthListener first = e -> heard.add("first");
    IamAuthListener second = e -> heard.add("second");
    IamAuthConfig base = config("shared-e");
    try (IamTokenProvider.Lease a =
        IamTokenProvider.shared(base.toBuilder().listener(first).build())) {
      IamTokenProvider.Lease b = IamTokenProvider.shared(base.toBuilder().listener(second).build());
      IamTokenProvider.Lease c = IamTokenProvider.shared(base.toBuilder().listener(second).build());
      assertThat(b.provider()).isSameAs(a.provider());
      a.provider().events().reauthenticated("c1");
      assertThat(heard).containsExactlyInAnyOrder("first", "second");

      b.close();
      heard.clear();
      a.provider().events().reauthenticated("c2");
      assertThat(heard).containsExactlyInAnyOrder("first", "second");

      c.close();
      heard.clear();
      a.provider().events().reauthenticated("c3");
      assertThat(heard).containsExactly("first");
    }
  }
}
