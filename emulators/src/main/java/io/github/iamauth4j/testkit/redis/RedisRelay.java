package io.github.iamauth4j.testkit.redis;

import io.github.iamauth4j.testkit.net.ClientConnection;
import io.github.iamauth4j.testkit.verify.Rejection;
import io.github.iamauth4j.testkit.verify.Verdict;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection relayed to its own backend connection. The reading thread parses the
 * client's commands, intercepts {@code AUTH} and {@code HELLO … AUTH} and forwards every command,
 * rewritten or untouched, in order; a pump thread copies the backend's replies to the client
 * verbatim. Because every reply, errors included, comes from the backend in order, pipelining,
 * RESP3, pub/sub pushes and blocking commands need no special handling.
 */
final class RedisRelay {
  private static final Logger log = LoggerFactory.getLogger(RedisRelay.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /**
   * An unknown command the backend answers with an error in order, which also makes a pending
   * {@code EXEC} fail with {@code EXECABORT}; its name tells the reader why.
   */
  static final String AUTH_IN_MULTI = "AUTH-inside-MULTI-is-not-allowed";

  /**
   * Likewise for an IAM authentication over the rate limit: the client's AUTH fails with {@code ERR
   * unknown command 'IAM-authentication-throttled'}, in order.
   */
  static final String THROTTLED = "IAM-authentication-throttled";

  private final ElastiCacheEmulator emulator;
  private final ClientConnection client;
  private final Socket clientSocket;
  private final Socket backend;
  private final OutputStream toBackend;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Instant deadline;
  // Touched by the reading thread only.
  private boolean authenticated;
  private boolean inMulti;
  private boolean resp3;
  // Subscriptions as the client asked for them: in RESP2 a subscribed connection may only
  // (un)subscribe, PING, QUIT or RESET, so the backend refuses AUTH there.
  private final Set<String> channels = new HashSet<>();
  private final Set<String> patterns = new HashSet<>();
  private final Set<String> shardChannels = new HashSet<>();

  RedisRelay(
      ElastiCacheEmulator emulator,
      ClientConnection client,
      Socket clientSocket,
      Socket backend,
      Instant deadline)
      throws IOException {
    this.emulator = emulator;
    this.client = client;
    this.clientSocket = clientSocket;
    this.backend = backend;
    this.toBackend = new BufferedOutputStream(backend.getOutputStream(), 16 * 1024);
    this.deadline = deadline;
  }

  /** Relays until either side ends the connection; runs on the connection's own thread. */
  void run() throws IOException {
    Thread pump = new Thread(this::pump, Thread.currentThread().getName() + "-replies");
    pump.setDaemon(true);
    pump.start();
    InputStream in = client.in();
    CommandReader reader = new CommandReader(in);
    try {
      while (reader.next()) {
        if (closeIfDue(emulator.clock().instant())) {
          return;
        }
        handle(reader);
        if (in.available() == 0) {
          toBackend.flush();
        }
      }
      // The client finished sending: let the backend answer what it got, then end.
      toBackend.flush();
      backend.shutdownOutput();
      awaitReplies(pump);
    } catch (CommandReader.ProtocolException e) {
      // Redis answers a malformed request with a protocol error and closes: let it.
      log.debug("{}: {}; relaying the rest untouched", client, e.getMessage());
      toBackend.write(reader.raw(), 0, reader.rawLength());
      toBackend.flush();
      copyRaw(in);
      awaitReplies(pump);
    } finally {
      close();
    }
  }

  private static void awaitReplies(Thread pump) {
    try {
      pump.join(DRAIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void copyRaw(InputStream in) throws IOException {
    byte[] buf = new byte[16 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      toBackend.write(buf, 0, n);
      if (in.available() == 0) {
        toBackend.flush();
      }
    }
    toBackend.flush();
    backend.shutdownOutput();
  }

  private void pump() {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = backend.getInputStream();
      OutputStream out = client.out();
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        if (in.available() == 0) {
          out.flush();
        }
      }
      out.flush();
    } catch (IOException e) {
      // Either side went away; closing below ends the other.
    } finally {
      close();
    }
  }

  private void handle(CommandReader r) throws IOException {
    String name = r.name();
    if (log.isDebugEnabled() && !name.isEmpty()) {
      log.debug("{}: {}", client, name);
    }
    switch (name) {
      case "AUTH":
        auth(r);
        return;
      case "HELLO":
        hello(r);
        return;
      case "MULTI":
        // Before authentication the backend answers NOAUTH and no transaction starts.
        if (authenticated) {
          inMulti = true;
        }
        break;
      case "EXEC":
      case "DISCARD":
        inMulti = false;
        break;
      case "RESET":
        inMulti = false;
        authenticated = false;
        resp3 = false;
        channels.clear();
        patterns.clear();
        shardChannels.clear();
        break;
      case "SUBSCRIBE":
        subscribe(r, channels);
        break;
      case "PSUBSCRIBE":
        subscribe(r, patterns);
        break;
      case "SSUBSCRIBE":
        subscribe(r, shardChannels);
        break;
      case "UNSUBSCRIBE":
        unsubscribe(r, channels);
        break;
      case "PUNSUBSCRIBE":
        unsubscribe(r, patterns);
        break;
      case "SUNSUBSCRIBE":
        unsubscribe(r, shardChannels);
        break;
      default:
        break;
    }
    forwardRaw(r);
  }

  private void subscribe(CommandReader r, Set<String> into) {
    // Unauthenticated: NOAUTH; inside MULTI: queued, not yet subscribed.
    if (authenticated && !inMulti) {
      for (int i = 1; i < r.argc(); i++) {
        into.add(r.argText(i));
      }
    }
  }

  private void unsubscribe(CommandReader r, Set<String> from) {
    if (r.argc() == 1) {
      from.clear();
    }
    for (int i = 1; i < r.argc(); i++) {
      from.remove(r.argText(i));
    }
  }

  /** Whether the backend will refuse AUTH and HELLO: a RESP2 connection in subscriber mode. */
  private boolean inResp2SubscriberMode() {
    return !resp3 && (!channels.isEmpty() || !patterns.isEmpty() || !shardChannels.isEmpty());
  }

  private void auth(CommandReader r) throws IOException {
    if (r.argc() != 2 && r.argc() != 3) {
      forwardRaw(r); // The backend's own "wrong number of arguments".
      return;
    }
    if (inMulti) {
      rejectInMulti("AUTH");
      return;
    }
    if (inResp2SubscriberMode()) {
      refusedBySubscriberMode(r, r.argc() - 1);
      return;
    }
    if (r.argc() == 2) {
      if (emulator.users().defaultEnabled()) {
        // The group gives "default" a password: AUTH <password> authenticates it.
        authenticatePassword("default", r.argText(1), allArgs(r), 1);
        return;
      }
      // AUTH <password> authenticates "default", which is not an IAM user.
      reject("default", Rejection.WRONG_USER, "AUTH without a user name names the default user");
      // Two-argument form: the backend then answers WRONGPASS whatever "default" looks like.
      forward(args("AUTH", "default", emulator.wrongPassword()));
      return;
    }
    authenticate(r.argText(1), r.argText(2), allArgs(r), 2);
  }

  private void hello(CommandReader r) throws IOException {
    int passwordIndex = -1;
    for (int i = 2; i < r.argc(); ) {
      String option = r.argText(i).toUpperCase(Locale.ROOT);
      if (option.equals("AUTH") && i + 2 < r.argc()) {
        passwordIndex = i + 2;
        i += 3;
      } else if (option.equals("SETNAME") && i + 1 < r.argc()) {
        i += 2;
      } else {
        break; // The backend answers the syntax error.
      }
    }
    String protover = r.argc() > 1 ? r.argText(1) : "";
    if (passwordIndex < 0) {
      if (!inResp2SubscriberMode() && (protover.equals("2") || protover.equals("3"))) {
        resp3 = protover.equals("3");
      }
      forwardRaw(r);
      return;
    }
    if (inMulti) {
      rejectInMulti("HELLO");
      return;
    }
    if (inResp2SubscriberMode()) {
      refusedBySubscriberMode(r, passwordIndex);
      return;
    }
    byte[][] args = allArgs(r);
    if (!protover.equals("2") && !protover.equals("3")) {
      // The backend refuses the protocol version before it looks at the credentials.
      args[passwordIndex] = bytes(emulator.wrongPassword());
      forward(args);
      return;
    }
    if (authenticate(r.argText(passwordIndex - 1), r.argText(passwordIndex), args, passwordIndex)) {
      resp3 = protover.equals("3");
    }
  }

  /**
   * The backend refuses the command in this state whatever the password: forward it with a wrong
   * one and count nothing, since no token was judged.
   */
  private void refusedBySubscriberMode(CommandReader r, int passwordIndex) throws IOException {
    log.debug("{}: {} in RESP2 subscriber mode, which the backend refuses", client, r.name());
    byte[][] args = allArgs(r);
    args[passwordIndex] = bytes(emulator.wrongPassword());
    forward(args);
  }

  /**
   * Judges the credentials as the user group says (a token for an IAM user, the password for a
   * password user) and forwards the command with the emulator's secret, the password, or a wrong
   * password.
   *
   * @return whether the authentication was accepted
   */
  private boolean authenticate(String user, String credential, byte[][] args, int passwordIndex)
      throws IOException {
    UserGroup.Mode mode = emulator.users().mode(user);
    if (mode == UserGroup.Mode.PASSWORD) {
      return authenticatePassword(user, credential, args, passwordIndex);
    }
    if (!emulator.mayAuthenticateNow()) {
      emulator.stats().recordThrottled();
      log.debug("{}: IAM authentication for user {} throttled", client, user);
      forward(args(THROTTLED));
      return false;
    }
    Verdict verdict = emulator.verifier().verify(user, credential);
    BackendAdmin admin = emulator.admin();
    if (!verdict.isAccepted()) {
      reject(user, verdict.rejection().orElse(Rejection.MALFORMED), verdict.detail());
      args[passwordIndex] = bytes(emulator.wrongPassword());
      forward(args);
      return false;
    }
    if (mode == UserGroup.Mode.NONE) {
      reject(user, Rejection.UNKNOWN_USER, "the user group does not hold " + user);
      args[passwordIndex] = bytes(emulator.wrongPassword());
      forward(args);
      return false;
    }
    if (!admin.mayProvision(user)) {
      reject(user, Rejection.WRONG_USER, "the emulator does not let an IAM user become " + user);
      args[passwordIndex] = bytes(emulator.wrongPassword());
      forward(args);
      return false;
    }
    try {
      admin.provision(user);
    } catch (IOException e) {
      log.warn(
          "{}: could not create the ACL user {} on the backend {}: {}",
          client,
          user,
          admin.address(),
          e.getMessage());
      args[passwordIndex] = bytes(emulator.wrongPassword());
      forward(args);
      return false;
    }
    args[passwordIndex] = bytes(admin.secret());
    forward(args);
    boolean again = authenticated;
    authenticated = true;
    deadline = emulator.clock().instant().plus(emulator.connectionLimit());
    emulator.stats().recordAccepted(again);
    log.debug(
        "{}: {} for user {} accepted; connection limit at {}",
        client,
        again ? "re-authentication" : "authentication",
        user,
        deadline);
    return true;
  }

  /**
   * A password user: the password is forwarded as it is when it is the user's (the backend's ACL
   * user has it), else a wrong one, so the backend answers either way. Password connections have no
   * connection limit.
   */
  private boolean authenticatePassword(
      String user, String password, byte[][] args, int passwordIndex) throws IOException {
    if (!emulator.users().passwordMatches(user, password)) {
      emulator.stats().recordPasswordRejected();
      log.debug("{}: password authentication for user {} rejected", client, user);
      args[passwordIndex] = bytes(emulator.wrongPassword());
      if (args.length == 2) {
        forward(args("AUTH", "default", emulator.wrongPassword()));
      } else {
        forward(args);
      }
      return false;
    }
    forward(args);
    authenticated = true;
    deadline = Instant.MAX;
    emulator.stats().recordPasswordAccepted();
    log.debug("{}: password authentication for user {} accepted", client, user);
    return true;
  }

  private void reject(String user, Rejection reason, String detail) {
    emulator.stats().recordRejected(reason);
    log.debug("{}: authentication for user {} rejected: {} ({})", client, user, reason, detail);
  }

  private void rejectInMulti(String command) throws IOException {
    emulator.stats().recordRejectedInMulti();
    log.debug("{}: {} inside MULTI rejected", client, command);
    forward(args(AUTH_IN_MULTI));
  }

  private void forwardRaw(CommandReader r) throws IOException {
    toBackend.write(r.raw(), 0, r.rawLength());
  }

  private void forward(byte[][] args) throws IOException {
    toBackend.write(BackendClient.encode(args));
  }

  private static byte[][] allArgs(CommandReader r) {
    byte[][] args = new byte[r.argc()][];
    for (int i = 0; i < args.length; i++) {
      args[i] = r.arg(i);
    }
    return args;
  }

  private static byte[][] args(String... args) {
    byte[][] b = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      b[i] = bytes(args[i]);
    }
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Closes the connection if its limit since the last successful authentication has passed.
   *
   * @return whether this call closed it
   */
  boolean closeIfDue(Instant now) {
    if (now.isBefore(deadline) || ended.get()) {
      return false;
    }
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    emulator.stats().recordClosedAtLimit();
    log.debug(
        "{}: connection limit reached ({} since the last authentication)",
        client,
        emulator.connectionLimit());
    closeSockets();
    return true;
  }

  /** Closes both sides now (fault injection, emulator shutdown). */
  void drop() {
    ended.set(true);
    closeSockets();
  }

  /** The end of a normal relay: TLS closes cleanly, so the client reads every reply first. */
  private void close() {
    ended.set(true);
    client.close();
    closeQuietly(backend);
  }

  private void closeSockets() {
    // The plain socket first: it unblocks a thread stuck writing to a client that stopped reading.
    closeQuietly(clientSocket);
    closeQuietly(backend);
    client.close();
  }

  private static void closeQuietly(@Nullable Socket s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException e) {
      // Closing: nothing left to do.
    }
  }
}
