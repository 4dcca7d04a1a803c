package io.github.iamauth4j.jdbc.hikari;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.jdbc.internal.TokenLease;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * HikariCP 7's per-connection credentials hook, answered from an {@link IamTokenProvider}: the user
 * name and the current token. HikariCP calls it on its single connection-adder thread before each
 * new connection, so it never waits on credentials once the first token exists (a volatile read;
 * refreshes happen in the background) and reuses the cached token across connections while it is
 * fresh. Made by {@link IamHikari#configure(com.zaxxer.hikari.HikariConfig)}; {@link #close()}
 * gives back its lease on the JVM's shared token provider (the last lease stops it).
 */
public final class IamHikariCredentialsProvider
    implements HikariCredentialsProvider, AutoCloseable {
  private final IamTokenProvider tokens;
  private final @Nullable TokenLease lease;

  IamHikariCredentialsProvider(IamTokenProvider tokens, @Nullable TokenLease lease) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.lease = lease;
  }

  /**
   * The user and the current token.
   *
   * @throws io.github.iamauth4j.core.TokenUnavailableException when no usable token exists
   *     (HikariCP counts a failed connection attempt and retries)
   */
  @Override
  public Credentials getCredentials() {
    if (tokens.passwordFallbacks().enabled()) {
      // With a password fallback, IamHikari's data source chooses each connection's credentials.
      return Credentials.of(null, null);
    }
    AuthToken t = tokens.token();
    return Credentials.of(t.userName(), t.value());
  }

  /** The token provider behind this hook. */
  public IamTokenProvider tokenProvider() {
    return tokens;
  }

  /**
   * Gives back the lease on the shared token provider (not a provider given in the config, which
   * its owner closes). Idempotent.
   */
  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }

  @Override
  public String toString() {
    return "IamHikariCredentialsProvider[" + tokens + "]";
  }
}
