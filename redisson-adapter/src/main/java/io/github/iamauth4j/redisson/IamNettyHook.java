package io.github.iamauth4j.redisson;

import io.github.iamauth4j.redisson.internal.ChannelGuard;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.redisson.client.NettyHook;

/**
 * The Redisson {@link NettyHook} that lets {@link IamCredentialsResolver} see each connection: it
 * adds two small handlers to every Redisson channel, one that shows the resolver the channel whose
 * first {@code AUTH} is being prepared (so that the resolver checks that channel's real TLS
 * settings before a token leaves) and one that holds a re-authentication {@code AUTH} while a
 * {@code MULTI} is open on the connection, until {@code EXEC} or {@code DISCARD}.
 *
 * <p>{@link IamRedisson} installs it (around any hook the app set). In a Redisson YAML file:
 *
 * <pre>{@code
 * nettyHook: !<io.github.iamauth4j.redisson.IamNettyHook> {}
 * }</pre>
 *
 * <p>Without it, {@link IamCredentialsResolver} hands out no token.
 */
public final class IamNettyHook implements NettyHook {
  private final @Nullable NettyHook delegate;

  /** A hook that only adds the adapter's handlers (for Redisson's YAML/JSON configuration). */
  public IamNettyHook() {
    this.delegate = null;
  }

  /**
   * A hook that runs {@code delegate} first, then adds the adapter's handlers.
   *
   * @param delegate the app's own hook
   */
  public IamNettyHook(NettyHook delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The app's hook this one runs first, or null. */
  public @Nullable NettyHook delegate() {
    return delegate;
  }

  @Override
  public void afterBoostrapInitialization(Bootstrap bootstrap) {
    if (delegate != null) {
      delegate.afterBoostrapInitialization(bootstrap);
    }
  }

  @Override
  public void afterChannelInitialization(Channel channel) {
    if (delegate != null) {
      delegate.afterChannelInitialization(channel);
    }
    ChannelGuard.install(channel);
  }

  @Override
  public String toString() {
    return "IamNettyHook" + (delegate == null ? "" : "[then " + delegate + "]");
  }
}
