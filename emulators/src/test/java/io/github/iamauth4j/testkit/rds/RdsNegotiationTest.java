package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.iamauth4j.testkit.verify.Rejection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulators' negotiation on raw sockets, before any backend is needed: the backend address
 * points nowhere, so anything that reached it would fail differently.
 */
class RdsNegotiationTest {
  private static RdsPostgresEmulator postgres;
  private static RdsMySqlEmulator mysql;

  @BeforeAll
  static void start() {
    postgres =
        RdsPostgresEmulator.builder()
            .backend("127.0.0.1", 1)
            .backendAdmin("postgres", "unused")
            .start();
    mysql = RdsMySqlEmulator.builder().backend("127.0.0.1", 1).backendAdmin("root", "x").start();
  }

  @AfterAll
  static void stop() {
    postgres.close();
    mysql.close();
  }

  private static void startupPacket(OutputStream out, int code, String... params)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1024);
    b.putInt(code);
    for (String p : params) {
      b.put(PgWire.cstringBytes(p));
    }
    if (params.length > 0) {
      b.put((byte) 0);
    }
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(4 + b.position());
    d.write(b.array(), 0, b.position());
    d.flush();
  }

  @Test
  void postgresRefusesGssThenUpgradesToTlsAndRejectsABadPasswordAsPam() throws IOException {
    long rejected = postgres.stats().rejected(Rejection.MALFORMED);
    try (Socket plain = new Socket(postgres.host(), postgres.port())) {
      DataInputStream in = new DataInputStream(plain.getInputStream());
      startupPacket(plain.getOutputStream(), PgWire.GSSENC_REQUEST);
      assertThat(in.readByte()).isEqualTo((byte) 'N');
      startupPacket(plain.getOutputStream(), PgWire.SSL_REQUEST);
      assertThat(in.readByte()).isEqualTo((byte) 'S');

      SSLSocket tls =
          (SSLSocket)
              postgres
                  .tls()
                  .clientContext()
                  .getSocketFactory()
                  .createSocket(plain, "localhost", postgres.port(), true);
      SSLParameters params = tls.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(params);
      tls.startHandshake();
      DataInputStream tin = new DataInputStream(tls.getInputStream());
      startupPacket(tls.getOutputStream(), PgWire.PROTOCOL_3_0, "user", "app", "database", "test");
      PgWire.Message ask = PgWire.read(tin, 1024);
      assertThat(ask.typeChar()).isEqualTo('R');
      assertThat(ask.intAt(0)).isEqualTo(3); // AuthenticationCleartextPassword
      PgWire.write(tls.getOutputStream(), 'p', PgWire.cstringBytes("not-a-token"));
      tls.getOutputStream().flush();

      PgWire.Message error = PgWire.read(tin, 4096);
      assertThat(error.typeChar()).isEqualTo('E');
      assertThat(PgWire.errorField(error.body, 'S')).isEqualTo("FATAL");
      assertThat(PgWire.errorField(error.body, 'C')).isEqualTo("28P01");
      assertThat(PgWire.errorField(error.body, 'M'))
          .isEqualTo("PAM authentication failed for user \"app\"");
      assertThat(tin.read()).isEqualTo(-1); // closed
    }
    assertThat(postgres.stats().rejected(Rejection.MALFORMED)).isEqualTo(rejected + 1);
  }

  @Test
  void postgresRefusesAPlaintextStartupLikeForceSsl() throws IOException {
    long refused = postgres.plaintextStartupsRefused();
    try (Socket plain = new Socket(postgres.host(), postgres.port())) {
      startupPacket(plain.getOutputStream(), PgWire.PROTOCOL_3_0, "user", "bob");

      PgWire.Message error = PgWire.read(new DataInputStream(plain.getInputStream()), 4096);

      assertThat(error.typeChar()).isEqualTo('E');
      assertThat(PgWire.errorField(error.body, 'C')).isEqualTo("28000");
      assertThat(PgWire.errorField(error.body, 'M'))
          .isEqualTo(
              "no pg_hba.conf entry for host \"127.0.0.1\", user \"bob\", database \"bob\","
                  + " no encryption");
    }
    assertThat(postgres.plaintextStartupsRefused()).isEqualTo(refused + 1);
  }

  @Test
  void mysqlReportsAnUnreachableBackendInsteadOfGreeting() throws IOException {
    try (Socket s = new Socket(mysql.host(), mysql.port())) {
      MySqlWire.Packet p = MySqlWire.read(s.getInputStream());

      assertThat(p.sequence).isZero();
      assertThat(p.first()).isEqualTo(0xff);
      assertThat(MySqlWire.describeError(p.payload))
          .startsWith("the RDS emulator could not connect to its backend 127.0.0.1:1")
          .endsWith("(error 1105)");
    }
  }
}
