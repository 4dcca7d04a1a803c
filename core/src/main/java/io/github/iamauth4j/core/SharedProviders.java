package io.github.iamauth4j.core;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The JVM's registry behind {@link IamTokenProvider#shared(IamAuthConfig)}: one provider per token
 * source, counted by leases, closed and forgotten when the last lease is closed.
 */
final class SharedProviders {
  private static final Map<Object, Entry> ENTRIES = new HashMap<>();

  private SharedProviders() {}

  private static final class Entry {
    final Object key;
    final IamTokenProvider provider;
    int leases;

    Entry(Object key, IamTokenProvider provider) {
      this.key = key;
      this.provider = provider;
    }
  }

  static IamTokenProvider.Lease acquire(
      IamAuthConfig config, Function<IamAuthConfig, IamTokenProvider> factory) {
    Object key = config.sharingKey();
    Entry entry;
    synchronized (ENTRIES) {
      entry = ENTRIES.get(key);
      if (entry == null || entry.provider.isClosed()) {
        // Building a provider does no I/O (the region was resolved with the configuration).
        entry = new Entry(key, factory.apply(config));
        ENTRIES.put(key, entry);
      }
      entry.leases++;
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
          release(held);
        }
      }

      @Override
      public String toString() {
        return "Lease[" + held.provider + "]";
      }
    };
  }

  private static void release(Entry entry) {
    boolean last;
    synchronized (ENTRIES) {
      last = --entry.leases == 0;
      if (last && ENTRIES.get(entry.key) == entry) {
        ENTRIES.remove(entry.key);
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
