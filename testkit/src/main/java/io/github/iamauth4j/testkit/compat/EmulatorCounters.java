package io.github.iamauth4j.testkit.compat;

import io.github.iamauth4j.testkit.net.EmulatorStats;
import io.github.iamauth4j.testkit.redis.ClusterStats;

/**
 * A snapshot of an emulator's counters (summed over the nodes in cluster mode), so that a test can
 * look at what happened during it: {@code after.minus(before)}.
 *
 * @param authenticationsAccepted authentications accepted, first ones and re-authentications
 * @param reauthentications accepted authentications on already authenticated connections
 * @param authenticationsRejected authentications rejected, for any reason
 * @param connectionsClosedAtLimit connections the emulator closed at the connection limit
 * @param authenticationsRejectedInMulti {@code AUTH}/{@code HELLO} refused inside {@code MULTI}
 * @param connectionsOpened connections accepted
 * @param connectionsRefused connections refused by fault injection
 */
public record EmulatorCounters(
    long authenticationsAccepted,
    long reauthentications,
    long authenticationsRejected,
    long connectionsClosedAtLimit,
    long authenticationsRejectedInMulti,
    long connectionsOpened,
    long connectionsRefused) {

  /**
   * A snapshot of one emulator's counters.
   *
   * @param s the emulator's stats
   */
  public static EmulatorCounters of(EmulatorStats s) {
    return new EmulatorCounters(
        s.authenticationsAccepted(),
        s.reauthentications(),
        s.authenticationsRejected(),
        s.connectionsClosedAtLimit(),
        s.authenticationsRejectedInMulti(),
        s.connectionsOpened(),
        s.connectionsRefused());
  }

  /**
   * A snapshot of a cluster emulator's counters, summed over its nodes.
   *
   * @param s the cluster's stats
   */
  public static EmulatorCounters of(ClusterStats s) {
    return new EmulatorCounters(
        s.authenticationsAccepted(),
        s.reauthentications(),
        s.authenticationsRejected(),
        s.connectionsClosedAtLimit(),
        s.authenticationsRejectedInMulti(),
        s.connectionsOpened(),
        s.connectionsRefused());
  }

  /**
   * What happened between {@code earlier} and this snapshot.
   *
   * @param earlier an earlier snapshot of the same emulator
   */
  public EmulatorCounters minus(EmulatorCounters earlier) {
    return new EmulatorCounters(
        authenticationsAccepted - earlier.authenticationsAccepted,
        reauthentications - earlier.reauthentications,
        authenticationsRejected - earlier.authenticationsRejected,
        connectionsClosedAtLimit - earlier.connectionsClosedAtLimit,
        authenticationsRejectedInMulti - earlier.authenticationsRejectedInMulti,
        connectionsOpened - earlier.connectionsOpened,
        connectionsRefused - earlier.connectionsRefused);
  }
}
