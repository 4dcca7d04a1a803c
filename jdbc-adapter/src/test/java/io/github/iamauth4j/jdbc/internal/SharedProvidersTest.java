package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.IamTarget;
import io.github.iamauth4j.jdbc.ExampleCredentialsProvider;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SharedProvidersTest {

  @AfterEach
  void closeAll() {
    SharedProviders.closeAll();
  }

  private static PropertySettings settings(String region) {
    Properties p = new Properties();
    p.setProperty("iamRegion", region);
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    return PropertySettings.read(Lookup.of(null, p));
  }

  @Test
  void connectionsToTheSameEndpointReuseOneToken() {
    List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
    IamAuthListener listener = events::add;
    SharedProviders.addListener(listener);
    try {
      IamTarget t = IamTarget.rds("localhost", 5432, "app");
      AuthToken first = SharedProviders.token(t, settings("us-east-1"));
      for (int i = 0; i < 50; i++) {
        assertThat(SharedProviders.token(t, settings("us-east-1")).value())
            .isEqualTo(first.value());
      }
      // The event is published right after the first caller gets the token.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events)
                      .filteredOn(e -> e instanceof IamAuthEvent.TokenIssued)
                      .hasSize(1));
      assertThat(SharedProviders.size()).isEqualTo(1);

      SharedProviders.token(IamTarget.rds("localhost", 5432, "other"), settings("us-east-1"));
      SharedProviders.token(t, settings("eu-west-1"));
      assertThat(SharedProviders.size()).isEqualTo(3);
    } finally {
      SharedProviders.removeListener(listener);
    }
  }

  @Test
  void staysBoundedClosingTheLeastRecentlyUsed() {
    for (int i = 0; i < SharedProviders.MAX_PROVIDERS + 5; i++) {
      SharedProviders.token(IamTarget.rds("localhost", 5432, "u" + i), settings("us-east-1"));
    }
    assertThat(SharedProviders.size()).isEqualTo(SharedProviders.MAX_PROVIDERS);
    // An evicted one is made again on demand.
    assertThat(SharedProviders.token(IamTarget.rds("localhost", 5432, "u0"), settings("us-east-1")))
        .isNotNull();
  }

  @Test
  void aHostWithoutRegionAndNoRegionSettingNamesIamRegion() {
    Properties p = new Properties();
    p.setProperty("iamCredentialsProvider", ExampleCredentialsProvider.class.getName());
    PropertySettings s = PropertySettings.read(Lookup.of(null, p));
    assertThatThrownBy(() -> SharedProviders.token(IamTarget.rds("localhost", 5432, "app"), s))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("region: could not be determined")
        .hasMessageContaining("iamRegion=us-east-1");
  }
}
