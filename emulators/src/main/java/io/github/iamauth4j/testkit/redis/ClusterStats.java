package io.github.iamauth4j.testkit.redis;

import io.github.iamauth4j.testkit.net.AuthMetrics;
import io.github.iamauth4j.testkit.net.EmulatorStats;
import io.github.iamauth4j.testkit.verify.Rejection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The counters of every node emulator of an {@link ElastiCacheClusterEmulator}, added up. A live
 * view: each call reads the nodes' current {@link EmulatorStats}. {@link #perNode()} has them one
 * by one.
 */
public final class ClusterStats {
  private final List<EmulatorStats> nodes;

  ClusterStats(List<EmulatorStats> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * The counters of each node emulator, in the order of {@link ElastiCacheClusterEmulator#nodes()}.
   */
  public List<EmulatorStats> perNode() {
    return nodes;
  }

  private long sum(ToLongFunction<EmulatorStats> f) {
    long n = 0;
    for (EmulatorStats s : nodes) {
      n += f.applyAsLong(s);
    }
    return n;
  }

  /** Authentications accepted, first ones and re-authentications together. */
  public long authenticationsAccepted() {
    return sum(EmulatorStats::authenticationsAccepted);
  }

  /** Accepted authentications on connections that were already authenticated. */
  public long reauthentications() {
    return sum(EmulatorStats::reauthentications);
  }

  /** Authentications rejected, for any reason. */
  public long authenticationsRejected() {
    return sum(EmulatorStats::authenticationsRejected);
  }

  /**
   * Authentications rejected for {@code reason}.
   *
   * @param reason the reason
   */
  public long rejected(Rejection reason) {
    return sum(s -> s.rejected(reason));
  }

  /** Rejections by reason, only the reasons seen. */
  public Map<Rejection, Long> rejectionsByReason() {
    Map<Rejection, Long> m = new EnumMap<>(Rejection.class);
    for (EmulatorStats s : nodes) {
      s.rejectionsByReason().forEach((r, n) -> m.merge(r, n, Long::sum));
    }
    return m;
  }

  /** Connections closed because the limit since their last authentication passed. */
  public long connectionsClosedAtLimit() {
    return sum(EmulatorStats::connectionsClosedAtLimit);
  }

  /** {@code AUTH}/{@code HELLO … AUTH} refused because it came inside {@code MULTI}. */
  public long authenticationsRejectedInMulti() {
    return sum(EmulatorStats::authenticationsRejectedInMulti);
  }

  /** Connections closed at once because new connections were being refused. */
  public long connectionsRefused() {
    return sum(EmulatorStats::connectionsRefused);
  }

  /** Connections accepted since start. */
  public long connectionsOpened() {
    return sum(EmulatorStats::connectionsOpened);
  }

  /** Password authentications accepted. */
  public long passwordAuthenticationsAccepted() {
    return sum(EmulatorStats::passwordAuthenticationsAccepted);
  }

  /** Password authentications rejected. */
  public long passwordAuthenticationsRejected() {
    return sum(EmulatorStats::passwordAuthenticationsRejected);
  }

  /** IAM authentications refused by the rate limit. */
  public long authenticationsThrottled() {
    return sum(EmulatorStats::authenticationsThrottled);
  }

  /** Failed authentications, token and password ({@code AuthenticationFailures}). */
  public long authenticationFailures() {
    return sum(EmulatorStats::authenticationFailures);
  }

  /** The counters under AWS's metric names, added up over the nodes. */
  public AuthMetrics metrics() {
    AuthMetrics m = new AuthMetrics(0, 0, 0, 0, 0);
    for (EmulatorStats s : nodes) {
      m = m.plus(s.metrics());
    }
    return m;
  }

  /** Connections open now. */
  public long openConnections() {
    return sum(EmulatorStats::openConnections);
  }

  @Override
  public String toString() {
    return "ClusterStats[nodes="
        + nodes.size()
        + ", accepted="
        + authenticationsAccepted()
        + ", reauthentications="
        + reauthentications()
        + ", rejected="
        + rejectionsByReason()
        + ", closedAtLimit="
        + connectionsClosedAtLimit()
        + ", rejectedInMulti="
        + authenticationsRejectedInMulti()
        + ", refused="
        + connectionsRefused()
        + ", opened="
        + connectionsOpened()
        + ", open="
        + openConnections()
        + "]";
  }
}
