package io.github.iamauth4j.redisson.internal;

import io.github.iamauth4j.core.IamAuthEvents;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.redisson.client.RedisException;
import org.redisson.client.handler.BaseConnectionHandler;
import org.redisson.client.handler.CommandsQueue;
import org.redisson.client.handler.CommandsQueuePubSub;
import org.redisson.client.protocol.CommandData;
import org.redisson.client.protocol.CommandsData;
import org.redisson.client.protocol.QueueCommandHolder;
import org.redisson.client.protocol.RedisStrictCommand;

/**
 * What the adapter adds to each Redisson channel (installed by {@code IamNettyHook}):
 *
 * <ul>
 *   <li>Before Redisson's connection handler: marks the channel whose {@code channelActive} is
 *       under way on this thread. Redisson's {@code BaseConnectionHandler.channelActive} asks the
 *       credentials resolver for the first credentials synchronously, on the event loop, so the
 *       resolver can look at that channel's real TLS settings before any token leaves.
 *   <li>After Redisson's command queue (so that it sees commands before they are encoded): holds an
 *       {@code AUTH} written while a {@code MULTI} is open on the channel (Redisson's {@code
 *       REDIS_READ_ATOMIC}/{@code REDIS_WRITE_ATOMIC} batches send {@code MULTI}, the commands and
 *       {@code EXEC} as separate writes on a pinned connection) until {@code EXEC} or {@code
 *       DISCARD} has been written, and reports the outcome of each re-authentication.
 * </ul>
 */
public final class ChannelGuard {
  private static final ThreadLocal<@Nullable Channel> ACTIVATING = new ThreadLocal<>();
  private static final ThreadLocal<@Nullable Channel> READING = new ThreadLocal<>();
  private static final AttributeKey<CompletableFuture<?>> BLOCKING =
      AttributeKey.valueOf("iamauth4j.blocking");
  private static final AttributeKey<Reporting> REPORTING =
      AttributeKey.valueOf("iamauth4j.reporting");
  private static final String ACTIVATION = "iamauth4j-activation";
  private static final String COMMANDS = "iamauth4j-commands";
  private static final RedisStrictCommand<Object> PLAIN_AUTH = new RedisStrictCommand<>("AUTH");

  private ChannelGuard() {}

  /**
   * Adds the handlers to a channel Redisson has just initialized. Idempotent.
   *
   * @param channel the channel
   */
  public static void install(Channel channel) {
    ChannelPipeline p = channel.pipeline();
    if (p.get(ACTIVATION) != null) {
      return;
    }
    String connectionHandler = nameOf(p, BaseConnectionHandler.class);
    String queue = nameOf(p, CommandsQueue.class);
    boolean pubSub = queue == null;
    if (pubSub) {
      queue = nameOf(p, CommandsQueuePubSub.class);
    }
    if (connectionHandler == null || queue == null) {
      // Not a channel layout this adapter knows: leave it alone; the resolver then refuses to
      // hand out tokens on it, since no activation is marked.
      return;
    }
    p.addBefore(connectionHandler, ACTIVATION, new Activation());
    p.addAfter(queue, COMMANDS, new Commands(pubSub));
  }

  private static @Nullable String nameOf(ChannelPipeline p, Class<? extends ChannelHandler> type) {
    for (Map.Entry<String, ChannelHandler> e : p) {
      if (type.isInstance(e.getValue())) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * The channel whose activation (and so whose first {@code AUTH}) is under way on this thread, or
   * null when the caller is not inside one.
   */
  public static @Nullable Channel activating() {
    return ACTIVATING.get();
  }

  /**
   * The channel whose replies are being decoded on this thread, or null. Redisson asks the resolver
   * for a connection's next renewal from within the completion of that connection's previous {@code
   * AUTH} (or its first commands), that is, while decoding a reply on its channel.
   */
  public static @Nullable Channel reading() {
    return READING.get();
  }

  /**
   * Completes on {@code channel}'s event loop once no blocking command ({@code BLPOP} and the like)
   * awaits its reply there, or at {@code deadlineNanos} ({@link System#nanoTime()}) at the latest.
   * Redisson renews a connection blocked in such a command by closing and reopening it, which loses
   * an element the server popped just as the connection closed; once the command has its reply, the
   * renewal is a plain {@code AUTH}. Redisson's renewal step runs synchronously in the task that
   * completes the result, after the check.
   *
   * @param channel the connection's channel
   * @param deadlineNanos when to give up waiting
   * @return the future
   */
  public static CompletableFuture<Void> whenNotBlocked(Channel channel, long deadlineNanos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    onLoop(channel, () -> check(channel, deadlineNanos, done), done);
    return done;
  }

  private static void check(Channel channel, long deadlineNanos, CompletableFuture<Void> done) {
    CompletableFuture<?> blocking = channel.attr(BLOCKING).get();
    long left = deadlineNanos - System.nanoTime();
    if (blocking == null || blocking.isDone() || !channel.isActive() || left <= 0) {
      done.complete(null);
      return;
    }
    io.netty.util.concurrent.ScheduledFuture<?> timer =
        channel
            .eventLoop()
            .schedule(() -> check(channel, deadlineNanos, done), left, TimeUnit.NANOSECONDS);
    blocking.whenComplete(
        (r, e) -> {
          timer.cancel(false);
          onLoop(channel, () -> check(channel, deadlineNanos, done), done);
        });
  }

  private static void onLoop(Channel channel, Runnable task, CompletableFuture<Void> done) {
    try {
      channel.eventLoop().execute(task);
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down: nothing left to wait for.
      done.complete(null);
    }
  }

  /**
   * Whether a channel uses TLS, and whether that TLS verifies the server's host name (Redisson sets
   * the endpoint identification algorithm {@code HTTPS} only for {@code
   * SslVerificationMode.STRICT}; {@code CA_ONLY} clears it and {@code NONE} also trusts any
   * certificate).
   *
   * @param channel the channel
   * @return {@code [tls, verifiesServer]}
   */
  public static boolean[] transport(Channel channel) {
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return new boolean[] {false, false};
    }
    String algorithm = ssl.engine().getSSLParameters().getEndpointIdentificationAlgorithm();
    return new boolean[] {true, "HTTPS".equalsIgnoreCase(algorithm)};
  }

  /**
   * Reports the outcome of each later {@code AUTH} on {@code channel} (a re-authentication) to
   * {@code events}.
   *
   * @param channel the channel
   * @param events where to report
   * @param description the connection, for events (no secrets)
   */
  public static void reportTo(Channel channel, IamAuthEvents events, String description) {
    channel.attr(REPORTING).setIfAbsent(new Reporting(events, description));
  }

  private record Reporting(IamAuthEvents events, String description) {}

  /** Marks the activation of its channel on the event loop thread. */
  private static final class Activation extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel previous = ACTIVATING.get();
      ACTIVATING.set(ctx.channel());
      try {
        ctx.fireChannelActive();
      } finally {
        if (previous == null) {
          ACTIVATING.remove();
        } else {
          ACTIVATING.set(previous);
        }
      }
    }
  }

  /**
   * Holds {@code AUTH} inside {@code MULTI}; reports re-authentications; on a pub/sub channel, lets
   * the messages that arrive while an {@code AUTH} awaits its reply through. Event loop only.
   */
  private static final class Commands extends ChannelDuplexHandler {
    private final boolean pubSub;
    private final Deque<Held> held = new ArrayDeque<>();
    private boolean inMulti;
    private volatile boolean authenticated;
    private @Nullable Object lastAuth;

    Commands(boolean pubSub) {
      this.pubSub = pubSub;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (msg instanceof CommandData<?, ?> command && isAuth(command)) {
        // Redisson's pub/sub queue writes each command a second time from the channel's tail
        // when it is its turn to go out: watch and hold it once.
        if (command != lastAuth) {
          lastAuth = command;
          watch(ctx.channel(), command);
          if (inMulti) {
            held.add(new Held(command, promise));
            return;
          }
        }
        super.write(ctx, msg, promise);
        if (pubSub) {
          decodeRepliesAsPlainReplies(ctx.channel(), command);
        }
        return;
      }
      if (msg instanceof CommandData<?, ?> command) {
        track(command);
        if (command.isBlockingCommand()) {
          CompletableFuture<?> reply = command.getPromise();
          Channel channel = ctx.channel();
          channel.attr(BLOCKING).set(reply);
          reply.whenComplete((r, e) -> channel.attr(BLOCKING).compareAndSet(reply, null));
        }
      } else if (msg instanceof CommandsData batch) {
        for (CommandData<?, ?> command : batch.getCommands()) {
          track(command);
        }
      }
      super.write(ctx, msg, promise);
      while (!inMulti && !held.isEmpty()) {
        Held h = held.poll();
        super.write(ctx, h.command, h.promise);
      }
    }

    /**
     * Redisson's pub/sub decoder decodes every reply, a pushed message included, with the command
     * awaiting its reply; {@code AUTH}'s converter turns each part into null, so a message pushed
     * between {@code AUTH} and its {@code OK} is dropped (Redisson 3.52 to 4.7, RESP3). Once the
     * {@code AUTH} is on its way, the decoder gets a twin without that converter (and without
     * parameters, so nothing secret can reach a log line) that completes the real command.
     */
    @SuppressWarnings("unchecked")
    private static void decodeRepliesAsPlainReplies(Channel channel, CommandData<?, ?> auth) {
      QueueCommandHolder current = channel.attr(CommandsQueuePubSub.CURRENT_COMMAND).get();
      if (current == null || current.getCommand() != auth) {
        return;
      }
      CompletableFuture<Object> reply = new CompletableFuture<>();
      CommandData<Object, Object> twin = new CommandData<>(reply, null, PLAIN_AUTH, new Object[0]);
      reply.whenComplete(
          (ok, error) -> {
            if (error == null) {
              ((CompletableFuture<Object>) auth.getPromise()).complete(null);
            } else {
              auth.tryFailure(error);
            }
          });
      channel
          .attr(CommandsQueuePubSub.CURRENT_COMMAND)
          .compareAndSet(current, new QueueCommandHolder(twin, current.getChannelPromise()));
    }

    private void track(CommandData<?, ?> command) {
      String name = command.getCommand().getName();
      if ("MULTI".equalsIgnoreCase(name)) {
        inMulti = true;
      } else if ("EXEC".equalsIgnoreCase(name) || "DISCARD".equalsIgnoreCase(name)) {
        inMulti = false;
      }
    }

    private void watch(Channel channel, CommandData<?, ?> command) {
      if (!authenticated) {
        // The connection's first AUTH: a re-authentication is any AUTH after one succeeded.
        // Completed on this channel's event loop, like every other use of the field.
        command
            .getPromise()
            .whenComplete(
                (ok, error) -> {
                  if (error == null) {
                    authenticated = true;
                  }
                });
        return;
      }
      Reporting reporting = channel.attr(REPORTING).get();
      if (reporting == null) {
        return;
      }
      command
          .getPromise()
          .whenComplete(
              (ok, error) -> {
                if (error == null) {
                  reporting.events().reauthenticated(reporting.description());
                } else {
                  reporting.events().reauthenticationFailed(reporting.description(), error);
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      Channel previous = READING.get();
      READING.set(ctx.channel());
      try {
        super.channelRead(ctx, msg);
      } finally {
        if (previous == null) {
          READING.remove();
        } else {
          READING.set(previous);
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      while (!held.isEmpty()) {
        Held h = held.poll();
        h.promise.tryFailure(new ClosedChannelException());
        h.command.tryFailure(
            new RedisException(
                "the connection closed while an AUTH waited for the end of a MULTI: "
                    + ctx.channel()));
      }
      super.channelInactive(ctx);
    }

    private static boolean isAuth(CommandData<?, ?> command) {
      return command.getCommand() != PLAIN_AUTH
          && "AUTH".equalsIgnoreCase(command.getCommand().getName());
    }
  }

  private record Held(CommandData<?, ?> command, ChannelPromise promise) {}

  /** For tests: the names of the handlers the guard adds. */
  static List<String> handlerNames() {
    return List.of(ACTIVATION, COMMANDS);
  }
}
