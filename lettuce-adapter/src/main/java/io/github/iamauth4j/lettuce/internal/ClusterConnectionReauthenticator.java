package io.github.iamauth4j.lettuce.internal;

import io.github.iamauth4j.core.IamAuthEvents;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * Re-authenticates the node channel that a Lettuce cluster connection uses for commands without a
 * key ({@code PUBLISH}, {@code ACL WHOAMI}, {@code PING}, …).
 *
 * <p>Lettuce (6.6 up to 7.7 at least) gives every node connection of a {@code RedisClusterClient},
 * and every pub/sub connection, a handler that re-authenticates it when the credentials provider
 * streams new credentials, but not this default channel of {@code StatefulRedisClusterConnection}:
 * the server would close it at the 12-hour limit. This sends the {@code AUTH} for it, on the same
 * schedule. It writes to the connection's channel writer directly: {@code
 * connection.async().auth(…)} would make Lettuce remember the token as a static password and
 * present it, long expired, after the next reconnect. The cluster connection offers no {@code
 * MULTI}, so no transaction can be open on that channel.
 */
public final class ClusterConnectionReauthenticator {
  private ClusterConnectionReauthenticator() {}

  /**
   * Re-authenticates {@code connection}'s default channel each time {@code credentials} streams new
   * credentials, until the connection is closed.
   *
   * @param connection a cluster connection ({@code StatefulRedisClusterConnectionImpl})
   * @param credentials a streaming credentials provider
   * @param events where to report the outcomes
   * @param fallback told when the server refuses a token
   * @return disposing it stops the re-authentication
   */
  public static Disposable attach(
      RedisChannelHandler<?, ?> connection,
      RedisCredentialsProvider credentials,
      IamAuthEvents events,
      LettuceFallback fallback) {
    AtomicReference<@Nullable Disposable> self = new AtomicReference<>();
    Disposable subscription =
        credentials
            .credentials()
            .subscribe(
                c -> {
                  if (connection.isClosed()) {
                    Disposable d = self.get();
                    if (d != null) {
                      d.dispose();
                    }
                    return;
                  }
                  if (connection.isOpen()) {
                    // While reconnecting, the handshake authenticates with a fresh token instead.
                    reauthenticate(connection, c, events, fallback);
                  }
                });
    self.set(subscription);
    if (connection.isClosed()) {
      subscription.dispose();
    }
    return subscription;
  }

  private static void reauthenticate(
      RedisChannelHandler<?, ?> connection,
      RedisCredentials credentials,
      IamAuthEvents events,
      LettuceFallback fallback) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
    String user = credentials.getUsername();
    if (user != null) {
      args.add(user);
    }
    args.add(credentials.getPassword());
    AsyncCommand<String, String, String> auth =
        new AsyncCommand<>(
            new Command<>(CommandType.AUTH, new StatusOutput<>(StringCodec.UTF8), args));
    auth.whenComplete(
        (status, error) -> {
          String description = "Lettuce cluster connection (default node channel)";
          if (error != null) {
            events.reauthenticationFailed(description, error);
            fallback.reauthenticationRefused(description, error);
          } else {
            events.reauthenticated(description);
          }
        });
    connection.getChannelWriter().write(auth);
  }
}
