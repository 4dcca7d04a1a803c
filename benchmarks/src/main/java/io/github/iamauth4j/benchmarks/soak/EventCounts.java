package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.core.IamAuthEvent;
import io.github.iamauth4j.core.IamAuthListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** Counts the token provider's and the adapter's events, by kind. */
final class EventCounts implements IamAuthListener {
  final AtomicLong tokensIssued = new AtomicLong();
  final AtomicLong refreshesFailed = new AtomicLong();
  final AtomicLong reauthenticated = new AtomicLong();
  final AtomicLong reauthenticationsFailed = new AtomicLong();
  final AtomicLong retired = new AtomicLong();
  private final AtomicReference<IamAuthEvent.@Nullable TokenIssued> lastIssued =
      new AtomicReference<>();

  @Override
  public void onEvent(IamAuthEvent event) {
    if (event instanceof IamAuthEvent.TokenIssued t) {
      lastIssued.set(t);
      tokensIssued.incrementAndGet();
    } else if (event instanceof IamAuthEvent.RefreshFailed) {
      refreshesFailed.incrementAndGet();
    } else if (event instanceof IamAuthEvent.ConnectionReauthenticated) {
      reauthenticated.incrementAndGet();
    } else if (event instanceof IamAuthEvent.ReauthenticationFailed) {
      reauthenticationsFailed.incrementAndGet();
    } else if (event instanceof IamAuthEvent.ConnectionRetired) {
      retired.incrementAndGet();
    }
  }

  IamAuthEvent.@Nullable TokenIssued lastIssued() {
    return lastIssued.get();
  }

  /** The counts now. */
  Snapshot snapshot() {
    return new Snapshot(
        tokensIssued.get(),
        refreshesFailed.get(),
        reauthenticated.get(),
        reauthenticationsFailed.get(),
        retired.get());
  }

  /** Event counts at one moment. */
  record Snapshot(
      long tokensIssued,
      long refreshesFailed,
      long reauthenticated,
      long reauthenticationsFailed,
      long retired) {
    Snapshot minus(Snapshot o) {
      return new Snapshot(
          tokensIssued - o.tokensIssued,
          refreshesFailed - o.refreshesFailed,
          reauthenticated - o.reauthenticated,
          reauthenticationsFailed - o.reauthenticationsFailed,
          retired - o.retired);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("tokensIssued", tokensIssued);
      m.put("refreshesFailed", refreshesFailed);
      m.put("connectionReauthenticated", reauthenticated);
      m.put("reauthenticationFailed", reauthenticationsFailed);
      m.put("connectionRetired", retired);
      return m;
    }
  }
}
