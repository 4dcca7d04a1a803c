package io.github.iamauth4j.redisson.internal;

import io.github.iamauth4j.core.ConnectionCredentials;
import io.github.iamauth4j.core.IamAuthEvents;
import io.github.iamauth4j.core.PasswordFallbacks;
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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.redisson.client.RedisException;
import org.redisson.client.RedisWrongPasswordException;
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
 *   <li>With a fallback password configured (a migration from passwords): an {@code AUTH} carrying
 *       an IAM token goes out as a twin whose reply the adapter sees first. When the server refuses
 *       the token ({@code WRONGPASS}), the adapter sets IAM aside ({@link
 *       PasswordFallbacks#refused}) and sends a second {@code AUTH} with the password on the same
 *       channel; Redisson's own {@code AUTH} completes with the outcome of that one. During a
 *       connection's handshake every other command Redisson writes ({@code HELLO}, {@code SELECT},
 *       {@code PING}, …) waits until the {@code AUTH} is answered, so that none reaches the server
 *       unauthenticated. It counts each channel on IAM or on the password ({@link
 *       PasswordFallbacks#opened}) until it closes.
 * </ul>
 */
public final class ChannelGuard {
  private static final ThreadLocal<@Nullable Channel> ACTIVATING = new ThreadLocal<>();
  private static final ThreadLocal<@Nullable Channel> READING = new ThreadLocal<>();
  private static final ThreadLocal<@Nullable Channel> RENEWING = new ThreadLocal<>();
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

  private static void onLoop(Channel channel, Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
      return;
    }
    try {
      channel.eventLoop().execute(task);
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down: the channel goes with it.
    }
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
   * {@code events}, and counts the channel on IAM or on the password in {@code fallbacks}.
   *
   * @param channel the channel
   * @param events where to report
   * @param fallbacks the token provider's fallback state
   * @param description the connection, for events (no secrets), unique among its client's
   */
  public static void reportTo(
      Channel channel, IamAuthEvents events, PasswordFallbacks fallbacks, String description) {
    channel.attr(REPORTING).setIfAbsent(new Reporting(events, fallbacks, description));
  }

  /** The description given to {@link #reportTo}, or null. */
  public static @Nullable String description(Channel channel) {
    Reporting r = channel.attr(REPORTING).get();
    return r == null ? null : r.description();
  }

  /**
   * Holds every command Redisson writes on {@code channel} until its first {@code AUTH} has been
   * answered (including a retry with the password). Called during the channel's activation, on its
   * event loop, before Redisson writes anything.
   *
   * @param channel the channel being activated
   */
  public static void holdUntilAuthenticated(Channel channel) {
    Commands c = commands(channel);
    if (c != null) {
      c.holdUntilAuthenticated();
    }
  }

  /**
   * No {@code AUTH} will come on {@code channel} (its credentials could not be had): what was held
   * goes out, and Redisson fails the connection on its replies.
   *
   * @param channel the channel
   */
  public static void authenticationAbandoned(Channel channel) {
    Commands c = commands(channel);
    if (c != null) {
      onLoop(channel, c::releaseHeld);
    }
  }

  /**
   * The credentials the next {@code AUTH} Redisson writes on {@code channel} carries (the resolver
   * has just handed them out): decides whether a refusal is retried with the password, and how the
   * channel is counted once it is answered.
   *
   * @param channel the channel
   * @param credentials the credentials
   */
  public static void expectAuth(Channel channel, ConnectionCredentials credentials) {
    Commands c = commands(channel);
    if (c != null) {
      c.expected = credentials;
    }
  }

  /** How {@code channel} last authenticated, or null when not known (yet). */
  public static ConnectionCredentials.@Nullable Mode mode(Channel channel) {
    Commands c = commands(channel);
    return c == null ? null : c.mode;
  }

  /**
   * The channel whose renewal completes on this thread (see {@link #completeRenewal}), or null.
   * Redisson resolves the renewed credentials synchronously inside that completion.
   */
  public static @Nullable Channel renewing() {
    return RENEWING.get();
  }

  /**
   * Completes {@code renewal} (a {@code nextRenewal()} stage of {@code channel}) with {@link
   * #renewing()} showing the channel, so that the resolver knows which connection it renews.
   *
   * @param channel the channel
   * @param renewal the stage Redisson waits on
   */
  public static void completeRenewal(Channel channel, CompletableFuture<Void> renewal) {
    Channel previous = RENEWING.get();
    RENEWING.set(channel);
    try {
      renewal.complete(null);
    } finally {
      if (previous == null) {
        RENEWING.remove();
      } else {
        RENEWING.set(previous);
      }
    }
  }

  private static @Nullable Commands commands(Channel channel) {
    ChannelHandler h = channel.pipeline().get(COMMANDS);
    return h instanceof Commands c ? c : null;
  }

  private record Reporting(IamAuthEvents events, PasswordFallbacks fallbacks, String description) {}

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
   * the messages that arrive while an {@code AUTH} awaits its reply through; with a fallback
   * password, retries a refused IAM {@code AUTH} with the password and holds the handshake's other
   * commands until its {@code AUTH} is answered; counts the channel on IAM or on the password.
   * Event loop only, but for the volatile fields the resolver sets.
   */
  private static final class Commands extends ChannelDuplexHandler {
    private final boolean pubSub;
    private final Deque<Held> held = new ArrayDeque<>();
    private boolean inMulti;
    private volatile boolean authenticated;
    private @Nullable Object lastAuth;
    private @Nullable Deque<HeldWrite> handshake;
    private PasswordFallbacks.@Nullable Session session;
    volatile @Nullable ConnectionCredentials expected;
    volatile ConnectionCredentials.@Nullable Mode mode;

    Commands(boolean pubSub) {
      this.pubSub = pubSub;
    }

    void holdUntilAuthenticated() {
      if (!authenticated && handshake == null) {
        handshake = new ArrayDeque<>();
      }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (msg instanceof CommandData<?, ?> command && isAuth(command)) {
        // Redisson's pub/sub queue writes each command a second time from the channel's tail
        // when it is its turn to go out: watch and hold it once.
        if (command == lastAuth) {
          super.write(ctx, msg, promise);
          if (pubSub) {
            decodeRepliesAsPlainReplies(ctx.channel(), command);
          }
          return;
        }
        watch(ctx.channel(), command);
        ConnectionCredentials credentials = expected;
        expected = null;
        if (inMulti) {
          held.add(new Held(command, promise, credentials));
          return;
        }
        sendAuth(ctx, command, promise, credentials);
        return;
      }
      Deque<HeldWrite> waiting = handshake;
      if (waiting != null) {
        // The handshake's AUTH has not been answered: nothing may reach the server before it.
        waiting.add(new HeldWrite(msg, promise));
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
        sendAuth(ctx, h.command, h.promise, h.credentials);
      }
    }

    /**
     * Sends Redisson's {@code AUTH}: as it is, or, when it carries an IAM token and a fallback
     * password is configured, as a twin whose refusal is retried with the password.
     */
    private void sendAuth(
        ChannelHandlerContext ctx,
        CommandData<?, ?> auth,
        ChannelPromise promise,
        @Nullable ConnectionCredentials credentials) {
      Reporting reporting = ctx.channel().attr(REPORTING).get();
      PasswordFallbacks fallbacks = reporting == null ? null : reporting.fallbacks();
      if (credentials == null
          || fallbacks == null
          || !fallbacks.enabled()
          || !credentials.isIam()) {
        auth.getPromise().whenComplete((ok, error) -> answered(ctx.channel(), credentials, error));
        pass(ctx, auth, promise);
        return;
      }
      CompletableFuture<Object> reply = new CompletableFuture<>();
      CommandData<?, ?> twin = twin(auth, reply, auth.getParams());
      reply.whenComplete(
          (ok, error) -> {
            if (error == null) {
              answered(ctx.channel(), credentials, null);
              complete(auth, ok);
              return;
            }
            ConnectionCredentials password =
                refusedIam(fallbacks, Objects.requireNonNull(reporting).description(), error);
            if (password == null) {
              answered(ctx.channel(), credentials, error);
              auth.tryFailure(error);
              return;
            }
            retryWithPassword(ctx, auth, password);
          });
      pass(ctx, twin, promise);
    }

    private void retryWithPassword(
        ChannelHandlerContext ctx, CommandData<?, ?> auth, ConnectionCredentials password) {
      CompletableFuture<Object> reply = new CompletableFuture<>();
      CommandData<?, ?> twin = twin(auth, reply, new Object[] {password.user(), password.secret()});
      reply.whenComplete(
          (ok, error) -> {
            answered(ctx.channel(), password, error);
            if (error == null) {
              complete(auth, ok);
            } else {
              auth.tryFailure(error);
            }
          });
      lastAuth = twin;
      ctx.writeAndFlush(twin)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  reply.completeExceptionally(f.cause());
                }
              });
      if (pubSub) {
        decodeRepliesAsPlainReplies(ctx.channel(), twin);
      }
    }

    private void pass(ChannelHandlerContext ctx, CommandData<?, ?> auth, ChannelPromise promise) {
      lastAuth = auth;
      ctx.write(auth, promise);
      if (pubSub) {
        decodeRepliesAsPlainReplies(ctx.channel(), auth);
      }
    }

    /** The refusal's password credentials to retry with, or null to let the failure stand. */
    private static @Nullable ConnectionCredentials refusedIam(
        PasswordFallbacks fallbacks, String description, Throwable error) {
      String message = error.getMessage();
      if (message == null || !message.startsWith("WRONGPASS")) {
        return null;
      }
      // The server's words only, without Redisson's description of the channel and command.
      int context = message.indexOf(". channel: ");
      String refusal = context < 0 ? message : message.substring(0, context + 1);
      try {
        return fallbacks.refused(description, new RedisWrongPasswordException(refusal));
      } catch (RuntimeException e) {
        // The password cannot be read either: the refusal stands.
        return null;
      }
    }

    @SuppressWarnings("unchecked")
    private static void complete(CommandData<?, ?> auth, @Nullable Object ok) {
      ((CompletableFuture<Object>) auth.getPromise()).complete(ok);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CommandData<?, ?> twin(
        CommandData<?, ?> auth, CompletableFuture<Object> reply, Object[] params) {
      // Redisson's own AUTH command object, so that its logs mask the parameters.
      return new CommandData(reply, auth.getCodec(), auth.getCommand(), params);
    }

    /** An {@code AUTH} of this channel was answered (for good: after any retry). */
    private void answered(
        Channel channel, @Nullable ConnectionCredentials credentials, @Nullable Throwable error) {
      if (!channel.eventLoop().inEventLoop()) {
        // E.g. Redisson's command timeout failed the AUTH: the state is the event loop's.
        onLoop(channel, () -> answered(channel, credentials, error));
        return;
      }
      if (error == null && credentials != null) {
        mode = credentials.mode();
        PasswordFallbacks.Session s = session;
        Reporting reporting = channel.attr(REPORTING).get();
        if (s != null) {
          s.authenticated(credentials);
        } else if (reporting != null && channel.isActive()) {
          session = reporting.fallbacks().opened(reporting.description(), credentials);
        }
      }
      releaseHeld();
    }

    /** Lets the handshake's held commands go out, in order. */
    void releaseHeld() {
      Deque<HeldWrite> waiting = handshake;
      if (waiting == null) {
        return;
      }
      handshake = null;
      ChannelHandlerContext ctx = context;
      if (ctx == null) {
        return;
      }
      while (!waiting.isEmpty()) {
        HeldWrite w = waiting.poll();
        try {
          write(ctx, w.msg(), w.promise());
        } catch (Exception e) {
          w.promise().tryFailure(e);
        }
      }
      ctx.flush();
    }

    private @Nullable ChannelHandlerContext context;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      context = ctx;
      super.handlerAdded(ctx);
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
      Deque<HeldWrite> waiting = handshake;
      handshake = null;
      while (waiting != null && !waiting.isEmpty()) {
        HeldWrite w = waiting.poll();
        w.promise().tryFailure(new ClosedChannelException());
        if (w.msg() instanceof CommandData<?, ?> command) {
          command.tryFailure(
              new RedisException(
                  "the connection closed before its AUTH was answered: " + ctx.channel()));
        }
      }
      PasswordFallbacks.Session s = session;
      session = null;
      if (s != null) {
        s.close();
      }
      super.channelInactive(ctx);
    }

    private static boolean isAuth(CommandData<?, ?> command) {
      return command.getCommand() != PLAIN_AUTH
          && "AUTH".equalsIgnoreCase(command.getCommand().getName());
    }
  }

  private record Held(
      CommandData<?, ?> command,
      ChannelPromise promise,
      @Nullable ConnectionCredentials credentials) {}

  private record HeldWrite(Object msg, ChannelPromise promise) {}

  /** For tests: the names of the handlers the guard adds. */
  static List<String> handlerNames() {
    return List.of(ACTIVATION, COMMANDS);
  }
}
