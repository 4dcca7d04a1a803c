package io.github.iamauth4j.testkit.net;

import io.github.iamauth4j.testkit.verify.Rejection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What an emulator has seen: token authentications accepted and rejected (by reason),
 * re-authentications on live connections, password authentications accepted and rejected,
 * authentications throttled, connections closed at the connection limit, authentications refused
 * inside {@code MULTI}, connections refused by fault injection, and connections open now. {@link
 * #metrics()} has them under AWS's metric names. Thread-safe; the {@code record…} methods are for
 * emulators.
 */
public final class EmulatorStats {
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong reauthentications = new AtomicLong();
  private final AtomicLongArray rejected = new AtomicLongArray(Rejection.values().length);
  private final AtomicLong passwordAccepted = new AtomicLong();
  private final AtomicLong passwordRejected = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong closedAtLimit = new AtomicLong();
  private final AtomicLong rejectedInMulti = new AtomicLong();
  private final AtomicLong refusedConnections = new AtomicLong();
  private final AtomicLong connectionsOpened = new AtomicLong();
  private final AtomicLong openConnections = new AtomicLong();

  /** Token (IAM) authentications accepted, first ones and re-authentications together. */
  public long authenticationsAccepted() {
    return accepted.get();
  }

  /** Accepted token authentications on connections that were already authenticated. */
  public long reauthentications() {
    return reauthentications.get();
  }

  /**
   * Token (IAM) authentications rejected, for any reason (including {@code AUTH <password>} for the
   * disabled {@code default} user); password users' failures are in {@link
   * #passwordAuthenticationsRejected()}.
   */
  public long authenticationsRejected() {
    long n = 0;
    for (int i = 0; i < rejected.length(); i++) {
      n += rejected.get(i);
    }
    return n;
  }

  /**
   * Authentications rejected for {@code reason}.
   *
   * @param reason the reason
   */
  public long rejected(Rejection reason) {
    return rejected.get(reason.ordinal());
  }

  /** Rejections by reason, only the reasons seen. */
  public Map<Rejection, Long> rejectionsByReason() {
    Map<Rejection, Long> m = new EnumMap<>(Rejection.class);
    for (Rejection r : Rejection.values()) {
      long n = rejected.get(r.ordinal());
      if (n > 0) {
        m.put(r, n);
      }
    }
    return m;
  }

  /** Authentications of password users (their own password, not a token) accepted. */
  public long passwordAuthenticationsAccepted() {
    return passwordAccepted.get();
  }

  /** Authentications of password users rejected: a wrong password, or the user was removed. */
  public long passwordAuthenticationsRejected() {
    return passwordRejected.get();
  }

  /** IAM authentications refused because they came faster than the configured rate limit. */
  public long authenticationsThrottled() {
    return throttled.get();
  }

  /**
   * Every failed authentication, with a token or a password ({@code AuthenticationFailures}):
   * {@link #authenticationsRejected()} plus {@link #passwordAuthenticationsRejected()}. Throttled
   * authentications and those refused inside {@code MULTI} are not counted here.
   */
  public long authenticationFailures() {
    return authenticationsRejected() + passwordRejected.get();
  }

  /** The counters under AWS's metric names, now. */
  public AuthMetrics metrics() {
    return new AuthMetrics(
        authenticationFailures(),
        closedAtLimit.get(),
        throttled.get(),
        accepted.get(),
        passwordAccepted.get());
  }

  /** Connections the emulator closed because the limit since their last authentication passed. */
  public long connectionsClosedAtLimit() {
    return closedAtLimit.get();
  }

  /** {@code AUTH}/{@code HELLO … AUTH} refused because it came inside {@code MULTI}. */
  public long authenticationsRejectedInMulti() {
    return rejectedInMulti.get();
  }

  /** Connections closed at once because new connections were being refused. */
  public long connectionsRefused() {
    return refusedConnections.get();
  }

  /** Connections accepted since start. */
  public long connectionsOpened() {
    return connectionsOpened.get();
  }

  /** Connections open now. */
  public long openConnections() {
    return openConnections.get();
  }

  /**
   * Records an accepted authentication.
   *
   * @param reauthentication whether the connection was already authenticated
   */
  public void recordAccepted(boolean reauthentication) {
    accepted.incrementAndGet();
    if (reauthentication) {
      reauthentications.incrementAndGet();
    }
  }

  /**
   * Records a rejected authentication.
   *
   * @param reason why
   */
  public void recordRejected(Rejection reason) {
    rejected.incrementAndGet(reason.ordinal());
  }

  /** Records an accepted password authentication. */
  public void recordPasswordAccepted() {
    passwordAccepted.incrementAndGet();
  }

  /** Records a rejected password authentication. */
  public void recordPasswordRejected() {
    passwordRejected.incrementAndGet();
  }

  /** Records an authentication refused by the rate limit. */
  public void recordThrottled() {
    throttled.incrementAndGet();
  }

  /** Records a connection closed at the limit. */
  public void recordClosedAtLimit() {
    closedAtLimit.incrementAndGet();
  }

  /** Records an authentication refused inside {@code MULTI}. */
  public void recordRejectedInMulti() {
    rejectedInMulti.incrementAndGet();
  }

  void recordRefused() {
    refusedConnections.incrementAndGet();
  }

  void recordOpened() {
    connectionsOpened.incrementAndGet();
    openConnections.incrementAndGet();
  }

  void recordClosed() {
    openConnections.decrementAndGet();
  }

  @Override
  public String toString() {
    return "EmulatorStats[accepted="
        + accepted
        + ", reauthentications="
        + reauthentications
        + ", rejected="
        + rejectionsByReason()
        + ", passwordAccepted="
        + passwordAccepted
        + ", passwordRejected="
        + passwordRejected
        + ", throttled="
        + throttled
        + ", closedAtLimit="
        + closedAtLimit
        + ", rejectedInMulti="
        + rejectedInMulti
        + ", refused="
        + refusedConnections
        + ", opened="
        + connectionsOpened
        + ", open="
        + openConnections
        + "]";
  }
}
