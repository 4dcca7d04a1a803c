package io.github.iamauth4j.redisson;

import io.github.iamauth4j.core.AuthToken;
import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamTokenProvider;
import io.github.iamauth4j.core.TokenUnavailableException;
import io.github.iamauth4j.redisson.internal.ChannelGuard;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The renewals a fallback password changes: the core's renewal of a connection completes only with
 * a usable token (it reports each failure as {@link IamAuthEvent.ReauthenticationFailed} and
 * retries), so a connection on IAM would keep its old token until the server's limit while AWS
 * credentials are gone. This follows those reports, by the connection's description, and renews
 * such a connection at once, with the password. Thread-safe.
 */
final class Renewing implements AutoCloseable {
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AutoCloseable listening;

  /** One connection's renewal that has not come yet. */
  record Pending(
      String connection, Channel channel, CompletableFuture<AuthToken> next, Runnable renew) {}

  Renewing(IamTokenProvider tokens) {
    this.listening =
        tokens.passwordFallbacks().enabled() ? tokens.events().listen(this::onEvent) : () -> {};
  }

  /**
   * Follows a connection's pending renewal until {@link #forget(Pending)}.
   *
   * @param connection its description, unique among the resolver's connections
   * @param channel its channel
   * @param next the core's renewal future
   * @param renew renews the connection now
   */
  Pending watch(
      String connection, Channel channel, CompletableFuture<AuthToken> next, Runnable renew) {
    Pending p = new Pending(connection, channel, next, renew);
    pending.put(connection, p);
    return p;
  }

  /**
   * Stops following a renewal that came.
   *
   * @return false if it was renewed already because no usable token could be had
   */
  boolean forget(Pending p) {
    return pending.remove(p.connection(), p);
  }

  private void onEvent(IamAuthEvent event) {
    if (!(event instanceof IamAuthEvent.ReauthenticationFailed f)
        || !(f.cause() instanceof TokenUnavailableException)) {
      return;
    }
    // The core names the connection, then what went wrong: "Redisson connection #3 to h:p (no …".
    String c = f.connection();
    int detail = c.indexOf(" (");
    Pending p = pending.get(detail < 0 ? c : c.substring(0, detail));
    if (p == null
        || !p.channel().isActive()
        || ChannelGuard.mode(p.channel()) == ConnectionCredentials.Mode.PASSWORD
        || !pending.remove(p.connection(), p)) {
      // On the password already, which has no limit: it waits for a token like any renewal. (A
      // closed connection's renewal ends on its own.)
      return;
    }
    p.next().cancel(false);
    p.renew().run();
  }

  @Override
  public void close() {
    try {
      listening.close();
    } catch (Exception e) {
      // Removing a listener does not throw.
    }
  }
}
