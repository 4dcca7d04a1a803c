package io.github.iamauth4j.benchmarks.soak;

import io.github.iamauth4j.core.IamAuthEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Injects the run's fault once, on a thread of its own, and remembers when. */
final class FaultInjector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);
  static final Duration REFUSAL = Duration.ofSeconds(5);

  private final Environment env;
  private final SoakSettings settings;
  private final Thread thread;
  private volatile long startNanos = Long.MAX_VALUE;
  private volatile long endNanos = Long.MAX_VALUE;
  private volatile @Nullable String detail;

  private FaultInjector(Environment env, SoakSettings settings, long atNanos) {
    this.env = env;
    this.settings = settings;
    this.thread = new Thread(() -> inject(atNanos), "soak-fault");
    thread.setDaemon(true);
  }

  /** Starts waiting for {@code atNanos} (on {@link System#nanoTime()}), then injects. */
  static FaultInjector start(Environment env, SoakSettings settings, long atNanos) {
    FaultInjector f = new FaultInjector(env, settings, atNanos);
    if (settings.fault() == Fault.SHORT_TOKEN_LIFE) {
      // Not an event: the whole run's tokens are short-lived.
      f.startNanos = System.nanoTime();
      f.detail =
          "tokens live "
              + Format.duration(settings.tokenLife())
              + ", renewal every "
              + Format.duration(settings.renewalInterval())
              + " less up to "
              + Format.duration(settings.policy().reauthenticationJitter());
    } else if (settings.fault() != Fault.NONE) {
      f.thread.start();
    }
    return f;
  }

  private void inject(long atNanos) {
    try {
      sleepUntil(atNanos);
      switch (settings.fault()) {
        case DROP_ALL -> {
          startNanos = System.nanoTime();
          int open = env.emulator().connections().size();
          env.emulator().dropAllConnections();
          endNanos = System.nanoTime();
          detail = "dropped " + open + " connections";
        }
        case REFUSE_NEW_5S -> {
          startNanos = System.nanoTime();
          int open = env.emulator().connections().size();
          env.emulator().refuseNewConnections(REFUSAL);
          env.emulator().dropAllConnections();
          endNanos = startNanos + REFUSAL.toNanos();
          detail = "dropped " + open + " connections, refused new ones for " + REFUSAL;
        }
        case CREDENTIAL_OUTAGE -> outage();
        default -> {}
      }
      LOG.info("fault {}: {}", settings.fault().cliName(), detail);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Credentials down from right after a token is issued, for three quarters of its life. */
  private void outage() throws InterruptedException {
    IamAuthEvent.TokenIssued before = env.events().lastIssued();
    long deadline = System.nanoTime() + settings.tokenPeriod().multipliedBy(3).toNanos();
    IamAuthEvent.TokenIssued fresh = before;
    while (System.nanoTime() < deadline) {
      fresh = env.events().lastIssued();
      if (fresh != null && fresh != before) {
        break;
      }
      Thread.sleep(5);
    }
    env.aws().down();
    startNanos = System.nanoTime();
    Instant outageStart = Instant.now();
    Duration length = settings.tokenLife().multipliedBy(3).dividedBy(4);
    Thread.sleep(length.toMillis());
    env.aws().up();
    endNanos = System.nanoTime();
    Instant outageEnd = Instant.now();
    detail =
        "AWS credentials failing for "
            + Format.duration(length)
            + " ("
            + env.aws().failedCalls()
            + " failed calls), from "
            + (fresh == null
                ? "an unknown point of the token's life"
                : Duration.between(fresh.at(), outageStart).toMillis()
                    + " ms after a token was issued; that token usable until "
                    + Duration.between(outageEnd, fresh.usableUntil()).toMillis()
                    + " ms after the outage ended");
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait;
    while ((wait = nanos - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }

  /** When the fault started, or {@link Long#MAX_VALUE} if it has not. */
  long startNanos() {
    return startNanos;
  }

  /** When it ended (for a drop: when it started), or {@link Long#MAX_VALUE}. */
  long endNanos() {
    return endNanos;
  }

  @Nullable String detail() {
    return detail;
  }

  Map<String, Object> toMap(long measureStartNanos) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fault", settings.fault().cliName());
    if (startNanos != Long.MAX_VALUE) {
      m.put("startSecondsIntoMeasurement", (startNanos - measureStartNanos) / 1e9);
    }
    if (endNanos != Long.MAX_VALUE) {
      m.put("endSecondsIntoMeasurement", (endNanos - measureStartNanos) / 1e9);
    }
    m.put("detail", detail);
    return m;
  }

  @Override
  public void close() {
    thread.interrupt();
    env.aws().up();
  }
}
