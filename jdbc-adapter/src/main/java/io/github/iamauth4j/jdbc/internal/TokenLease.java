package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.IamAuthConfig;
import io.github.iamauth4j.core.IamAuthListener;
import io.github.iamauth4j.core.IamTokenProvider;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease on the JVM's shared token provider for a configuration ({@link
 * IamTokenProvider#shared(IamAuthConfig)}), whose listeners hear the provider's events even when
 * the provider was built from another configuration with the same token source (the core keeps only
 * the first configuration's listeners). Each listener is attached once per provider, however many
 * leases name it, and detached with the last of them.
 */
public final class TokenLease implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TokenLease.class);

  /** Listeners attached to providers built from another configuration, with their lease counts. */
  private static final Map<IamTokenProvider, Map<IamAuthListener, Attached>> ATTACHED =
      new IdentityHashMap<>();

  private static final class Attached {
    final AutoCloseable handle;
    int count;

    Attached(AutoCloseable handle) {
      this.handle = handle;
    }
  }

  private final IamTokenProvider.Lease lease;
  private final List<IamAuthListener> attached;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TokenLease(IamTokenProvider.Lease lease, List<IamAuthListener> attached) {
    this.lease = lease;
    this.attached = attached;
  }

  /**
   * Takes a lease on the shared provider for {@code config}.
   *
   * @param config the configuration (with its target)
   */
  public static TokenLease acquire(IamAuthConfig config) {
    IamTokenProvider.Lease lease = IamTokenProvider.shared(config);
    IamTokenProvider p = lease.provider();
    List<IamAuthListener> mine = new ArrayList<>();
    if (p.config() != config) {
      List<IamAuthListener> own = p.config().listeners();
      synchronized (ATTACHED) {
        Map<IamAuthListener, Attached> onP =
            ATTACHED.computeIfAbsent(p, k -> new IdentityHashMap<>());
        for (IamAuthListener l : config.listeners()) {
          if (own.contains(l) || mine.contains(l)) {
            continue;
          }
          onP.computeIfAbsent(l, k -> new Attached(p.events().listen(k))).count++;
          mine.add(l);
        }
        if (onP.isEmpty()) {
          ATTACHED.remove(p);
        }
      }
    }
    return new TokenLease(lease, mine);
  }

  /** The shared provider; valid until this lease is closed. */
  public IamTokenProvider provider() {
    return lease.provider();
  }

  /** Gives the lease back (the last one closes the provider). Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    IamTokenProvider p = lease.provider();
    List<AutoCloseable> detach = new ArrayList<>();
    synchronized (ATTACHED) {
      Map<IamAuthListener, Attached> onP = ATTACHED.get(p);
      if (onP != null) {
        for (IamAuthListener l : attached) {
          Attached a = onP.get(l);
          if (a != null && --a.count == 0) {
            onP.remove(l);
            detach.add(a.handle);
          }
        }
        if (onP.isEmpty()) {
          ATTACHED.remove(p);
        }
      }
    }
    for (AutoCloseable h : detach) {
      try {
        h.close();
      } catch (Exception e) {
        log.debug("could not detach a listener from {}", p, e);
      }
    }
    lease.close();
  }

  @Override
  public String toString() {
    return "TokenLease[" + lease.provider() + "]";
  }
}
