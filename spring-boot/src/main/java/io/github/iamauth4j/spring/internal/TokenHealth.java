package io.github.iamauth4j.spring.internal;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamTokenProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The health of one token provider: up with the current token's remaining life, else why not. */
public final class TokenHealth {
  private TokenHealth() {}

  /**
   * The provider's state, without waiting: up when it hands out a usable token, down with the
   * reason when none can be had, unknown while the first token is being fetched. Never a token.
   */
  public static BootTypes.HealthState of(IamTokenProvider provider) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("target", provider.target().description());
    details.put("region", provider.region());
    if (provider.isClosed()) {
      details.put("error", "the token provider is closed");
      return new BootTypes.HealthState("down", details);
    }
    CompletableFuture<AuthToken> token = provider.tokenAsync();
    if (!token.isDone()) {
      details.put("token", "the first token is being fetched");
      return new BootTypes.HealthState("unknown", details);
    }
    try {
      AuthToken t = token.join();
      Duration remaining = Duration.between(provider.clock().instant(), t.usableUntil());
      details.put("tokenUsableUntil", t.usableUntil().toString());
      details.put("tokenRemainingLife", remaining.withNanos(0).toString());
      return new BootTypes.HealthState("up", details);
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String message = cause.getMessage();
      details.put("error", message != null ? message : cause.getClass().getSimpleName());
      return new BootTypes.HealthState("down", details);
    }
  }
}
