package io.github.iamauth4j.jdbc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * A pgjdbc {@code socketFactory} that connects every host name to {@code 127.0.0.1} (same port), so
 * that a test can use a real Aurora DSQL host name ({@code <id>.dsql.<region>.on.aws}, which the
 * adapter reads the region from, and which the TLS certificate is verified against) for an emulator
 * on this machine. pgjdbc calls {@link Socket#connect(SocketAddress, int)} with the host name
 * unresolved or resolved; either way only the port is kept.
 */
public final class LoopbackSocketFactory extends SocketFactory {
  /** Made by pgjdbc from its class name. */
  public LoopbackSocketFactory() {}

  @Override
  public Socket createSocket() {
    return new Socket() {
      @Override
      public void connect(SocketAddress endpoint, int timeout) throws IOException {
        int port = ((InetSocketAddress) endpoint).getPort();
        super.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeout);
      }
    };
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), port, localAddress, localPort);
  }
}
