package io.github.iamauth4j.testkit.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The servers started in this JVM and not yet closed; a shutdown hook closes them. */
final class Live {
  private static final Logger LOG = LoggerFactory.getLogger(Live.class);
  private static final Set<AutoCloseable> SERVERS = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  private Live() {}

  static void register(AutoCloseable server) {
    installHook();
    SERVERS.add(server);
  }

  static void unregister(AutoCloseable server) {
    SERVERS.remove(server);
  }

  private static void installHook() {
    if (hookInstalled) {
      return;
    }
    synchronized (Live.class) {
      if (!hookInstalled) {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(Live::closeAll, "iamauth4j-testkit-server-shutdown"));
        hookInstalled = true;
      }
    }
  }

  private static void closeAll() {
    List<AutoCloseable> servers = new ArrayList<>(SERVERS);
    for (AutoCloseable server : servers) {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warn("Could not stop {} at JVM shutdown", server, e);
      }
    }
  }
}
