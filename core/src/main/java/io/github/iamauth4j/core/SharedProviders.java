package io.github.iamauth4j.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The JVM's registry behind {@link IamTokenProvider#shared(IamAuthConfig)}: one provider per token
 * source, counted by leases, closed and forgotten when the last lease is closed. The listeners of a
 * configuration that finds the provider already made from another one are attached to it for as
 * long as a lease names them.
 */
final class SharedProviders {
  private static final Map<Object, Entry> ENTRIES = new HashMap<>();

  private SharedProviders() {}

  private static final class Attached {
    final AutoCloseable handle;
    int count;

    Attached(AutoCloseable handle) {
      this.handle = handle;
    }
  }

  private static final class Entry {
    final Object key;
    final IamTokenProvider provider;
    int leases;
    // Listeners of later configurations with the same token source, attached once each and
    // counted by the leases that name them (guarded by ENTRIES).
    final Map<IamAuthListener, Attached> attached = new IdentityHashMap<>();

    Entry(Object key, IamTokenProvider provider) {
      this.key = key;
      this.provider = provider;
    }
  }

  static IamTokenProvider.Lease acquire(
      IamAuthConfig config, Function<IamAuthConfig, IamTokenProvider> factory) {
    Object key = config.sharingKey();
    Entry entry;
    List<IamAuthListener> mine = new ArrayList<>();
    synchronized (ENTRIES) {
      entry = ENTRIES.get(key);
      if (entry == null || entry.provider.isClosed()) {
        // Building a provider does no I/O (the region was resolved with the configuration).
        entry = new Entry(key, factory.apply(config));
        ENTRIES.put(key, entry);
      }
      entry.leases++;
      for (IamAuthListener l : config.listeners()) {
        if (entry.provider.config().listeners().contains(l) || mine.contains(l)) {
          continue;
        }
        IamTokenProvider p = entry.provider;
        entry.attached.computeIfAbsent(l, k -> new Attached(p.events().listen(k))).count++;
        mine.add(l);
      }
    }
    Entry held = entry;
    AtomicBoolean released = new AtomicBoolean();
    return new IamTokenProvider.Lease() {
      @Override
      public IamTokenProvider provider() {
        return held.provider;
      }

      @Override
      public void close() {
        if (released.compareAndSet(false, true)) {
          release(held, mine);
        }
      }

      @Override
      public String toString() {
        return "Lease[" + held.provider + "]";
      }
    };
  }

  private static void release(Entry entry, List<IamAuthListener> mine) {
    boolean last;
    List<AutoCloseable> detach = new ArrayList<>();
    synchronized (ENTRIES) {
      for (IamAuthListener l : mine) {
        Attached a = entry.attached.get(l);
        if (a != null && --a.count == 0) {
          entry.attached.remove(l);
          detach.add(a.handle);
        }
      }
      last = --entry.leases == 0;
      if (last && ENTRIES.get(entry.key) == entry) {
        ENTRIES.remove(entry.key);
      }
    }
    for (AutoCloseable d : detach) {
      try {
        d.close();
      } catch (Exception e) {
        // Removing a listener does not fail.
      }
    }
    if (last) {
      entry.provider.close();
    }
  }

  /** For tests: the number of shared providers alive. */
  static int size() {
    synchronized (ENTRIES) {
      return ENTRIES.size();
    }
  }
}
