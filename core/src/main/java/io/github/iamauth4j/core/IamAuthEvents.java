package io.github.iamauth4j.core;

import io.github.iamauth4j.core.internal.Texts;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a target's events go: the token provider reports token events here, adapters report
 * connection events in one call ({@link #reauthenticated(String)}, {@link
 * #reauthenticationFailed(String, Throwable)}, {@link #retired(String, Duration)}), and every
 * {@link IamAuthListener} sees the same sealed {@link IamAuthEvent}s. Failures are also logged
 * through SLF4J (logger {@code io.github.iamauth4j.core.IamAuthEvents}); no event or log line
 * carries a token or secret.
 *
 * <p>One per token provider ({@link IamTokenProvider#events()}). Thread-safe; listeners are called
 * on the reporting thread, and one that throws is logged and skipped.
 */
public final class IamAuthEvents {
  private static final Logger log = LoggerFactory.getLogger(IamAuthEvents.class);

  private final IamTarget target;
  private final Clock clock;
  private final CopyOnWriteArrayList<IamAuthListener> listeners;

  IamAuthEvents(IamTarget target, Clock clock, List<IamAuthListener> listeners) {
    this.target = Objects.requireNonNull(target, "target");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listeners = new CopyOnWriteArrayList<>(listeners);
  }

  /** The target these events concern. */
  public IamTarget target() {
    return target;
  }

  /** The clock that stamps the events. */
  public Clock clock() {
    return clock;
  }

  /**
   * Adds a listener, e.g. a meter binder that arrives after the client was built.
   *
   * @param listener the listener
   * @return closing it removes the listener
   */
  public AutoCloseable listen(IamAuthListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * A live connection was re-authenticated with a fresh token.
   *
   * @param connection a description of the connection, without secrets
   */
  public void reauthenticated(String connection) {
    publish(new IamAuthEvent.ConnectionReauthenticated(target, clock.instant(), connection));
  }

  /**
   * Re-authenticating a live connection failed; the adapter tries again before the limit.
   *
   * @param connection a description of the connection, without secrets
   * @param cause why
   */
  public void reauthenticationFailed(String connection, Throwable cause) {
    publish(new IamAuthEvent.ReauthenticationFailed(target, clock.instant(), connection, cause));
  }

  /**
   * The adapter closed a connection because it reached its maximum age.
   *
   * @param connection a description of the connection, without secrets
   * @param age how long it had been open
   */
  public void retired(String connection, Duration age) {
    publish(new IamAuthEvent.ConnectionRetired(target, clock.instant(), connection, age));
  }

  /**
   * Logs {@code event} (failures at WARN, the rest at DEBUG) and tells every listener.
   *
   * @param event the event
   */
  public void publish(IamAuthEvent event) {
    Objects.requireNonNull(event, "event");
    if (event instanceof IamAuthEvent.ReauthenticationFailed f) {
      log.warn(
          "re-authentication of {} to {} failed: {}",
          Texts.printable(f.connection()),
          f.target().description(),
          messageOf(f.cause()));
    } else if (event instanceof IamAuthEvent.PasswordFallback p) {
      log.warn(
          "{} to {} authenticated with the fallback password of user {} instead of IAM ({}): {}",
          Texts.printable(p.connection()),
          p.target().description(),
          Texts.printable(p.user()),
          p.reason(),
          Texts.printable(p.detail()));
    } else if (event instanceof IamAuthEvent.ConnectionRetired r) {
      log.debug(
          "retired {} to {} at age {}",
          Texts.printable(r.connection()),
          r.target().description(),
          r.age());
    } else if (event instanceof IamAuthEvent.ConnectionReauthenticated r) {
      log.debug(
          "re-authenticated {} to {}", Texts.printable(r.connection()), r.target().description());
    }
    for (IamAuthListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn(
            "an iamauth4j listener failed on {}; ignored", event.getClass().getSimpleName(), e);
      }
    }
  }

  static String messageOf(Throwable t) {
    String m = t.getMessage();
    return Texts.printable(m == null ? t.getClass().getSimpleName() : m);
  }

  @Override
  public String toString() {
    return "IamAuthEvents[" + target.description() + ", " + listeners.size() + " listeners]";
  }
}
