package io.github.iamauth4j.benchmarks.soak;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What went through pub/sub and the blocking queue, to find lost messages and elements: every
 * message a publish reports as delivered must reach the subscriber; every element pushed must be
 * popped or still be in the queue at the end.
 */
final class Flows {
  final AtomicLong published = new AtomicLong();
  final AtomicLong deliveries = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong pushed = new AtomicLong();
  final AtomicLong popped = new AtomicLong();
  final AtomicLong resubscribed = new AtomicLong();
  volatile long remaining;

  /** Messages a publish reported as delivered but the subscriber never got. */
  long lostMessages() {
    return Math.max(0, deliveries.get() - received.get());
  }

  /** Elements pushed that were neither popped nor left in the queue. */
  long lostElements() {
    return Math.max(0, pushed.get() - popped.get() - remaining);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("published", published.get());
    m.put("deliveriesReported", deliveries.get());
    m.put("received", received.get());
    m.put("lostMessages", lostMessages());
    m.put("resubscribed", resubscribed.get());
    m.put("pushed", pushed.get());
    m.put("popped", popped.get());
    m.put("leftInQueue", remaining);
    m.put("lostElements", lostElements());
    return m;
  }
}
