package io.github.iamauth4j.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Picks free TCP ports on the loopback interface. */
final class FreePorts {
  /** The address every launched server binds to. */
  static final String HOST = "127.0.0.1";

  // A port picked for one server must not be picked again for another before the first one binds
  // it: the kernel may hand the same ephemeral port out twice in a row.
  private static final Set<Integer> PICKED = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /**
   * Returns a port that was free on {@value #HOST} a moment ago and was not returned before in this
   * JVM. Another process may still take it before the server binds it; launchers retry then.
   */
  static int pick() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("could not find a free port on " + HOST, e);
      }
      if (PICKED.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("could not find a free port on " + HOST + " in 100 attempts");
  }
}
