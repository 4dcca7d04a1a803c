package io.github.iamauth4j.testkit.rds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protocol pieces of the RDS emulators, against published answers and the servers' rules. */
class WireTest {

  @Test
  void scramMatchesTheRfc7677Example() {
    ScramSha256 scram = new ScramSha256("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    assertThat(scram.clientFirst()).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");

    String clientFinal =
        scram.clientFinal(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");

    assertThat(clientFinal)
        .isEqualTo(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    assertThat(scram.serverFinalValid("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).isTrue();
    assertThat(scram.serverFinalValid("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).isFalse();
  }

  @Test
  void scramRefusesAServerNonceThatDoesNotExtendOurs() {
    ScramSha256 scram = new ScramSha256("", "pencil", "abc");
    assertThatThrownBy(() -> scram.clientFinal("r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nativePasswordPassesTheServersCheck() throws Exception {
    byte[] scramble = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    byte[] response = MySqlWire.nativePassword("s3cret", scramble);

    // The server stores SHA1(SHA1(pw)) and checks SHA1(response XOR SHA1(scramble + stored)).
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    byte[] stored = sha1.digest(sha1.digest("s3cret".getBytes(StandardCharsets.UTF_8)));
    sha1.update(scramble);
    sha1.update(stored);
    byte[] mask = sha1.digest();
    byte[] candidate = new byte[20];
    for (int i = 0; i < 20; i++) {
      candidate[i] = (byte) (response[i] ^ mask[i]);
    }
    assertThat(sha1.digest(candidate)).isEqualTo(stored);
    assertThat(MySqlWire.nativePassword("", scramble)).isEmpty();
  }

  @Test
  void greetingSurvivesParseAndEncode() throws ProtocolException {
    byte[] scramble = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
    byte[] reserved = {0, 0, 0, 0, 0, 0, 0x1d, 0, 0, 0};
    MySqlHandshake.Greeting g =
        new MySqlHandshake.Greeting(
            "5.5.5-10.11.6-MariaDB",
            42,
            scramble,
            0xf7fe | MySqlWire.CLIENT_PLUGIN_AUTH,
            45,
            2,
            reserved,
            "mysql_native_password");

    MySqlHandshake.Greeting back = MySqlHandshake.Greeting.parse(g.encode());

    assertThat(back.serverVersion).isEqualTo("5.5.5-10.11.6-MariaDB");
    assertThat(back.connectionId).isEqualTo(42);
    assertThat(back.scramble).isEqualTo(scramble);
    assertThat(back.capabilities).isEqualTo(g.capabilities);
    assertThat(back.charset).isEqualTo(45);
    assertThat(back.reserved).isEqualTo(reserved);
    assertThat(back.plugin).isEqualTo("mysql_native_password");
  }

  @Test
  void handshakeResponseKeepsDatabasePluginAndAttributes() throws ProtocolException {
    int caps =
        MySqlWire.CLIENT_PROTOCOL_41
            | MySqlWire.CLIENT_SECURE_CONNECTION
            | MySqlWire.CLIENT_PLUGIN_AUTH
            | MySqlWire.CLIENT_CONNECT_WITH_DB
            | MySqlWire.CLIENT_CONNECT_ATTRS
            | MySqlWire.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;
    byte[] attrs = {5, 2, 'a', 'b', 1, 'c'};
    byte[] filler = new byte[23];
    filler[22] = 7;
    MySqlHandshake.Response r =
        new MySqlHandshake.Response(
            caps, 1 << 24, 45, filler, "app", new byte[] {1, 2, 3}, "test", "x_plugin", attrs);

    MySqlHandshake.Response back = MySqlHandshake.Response.parse(r.encode());

    assertThat(back.user).isEqualTo("app");
    assertThat(back.authResponse).containsExactly(1, 2, 3);
    assertThat(back.database).isEqualTo("test");
    assertThat(back.plugin).isEqualTo("x_plugin");
    assertThat(back.attributes).isEqualTo(attrs);
    assertThat(back.filler).isEqualTo(filler);
    assertThat(back.encode()).isEqualTo(r.encode());

    MySqlHandshake.Response withoutDb =
        back.with(caps & ~MySqlWire.CLIENT_CONNECT_WITH_DB, new byte[20], "mysql_native_password");
    MySqlHandshake.Response parsed = MySqlHandshake.Response.parse(withoutDb.encode());
    assertThat(parsed.database).isNull();
    assertThat(parsed.authResponse).hasSize(20);
    assertThat(parsed.attributes).isEqualTo(attrs);
  }

  @Test
  void errPacketCarriesCodeStateAndMessage() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MySqlWire.write(out, 3, MySqlWire.error(1045, "28000", "Access denied"));

    MySqlWire.Packet p = MySqlWire.read(new ByteArrayInputStream(out.toByteArray()));

    assertThat(p.sequence).isEqualTo(3);
    assertThat(p.first()).isEqualTo(0xff);
    assertThat(MySqlWire.describeError(p.payload)).isEqualTo("Access denied (error 1045)");
    assertThat(new String(p.payload, 3, 6, StandardCharsets.US_ASCII)).isEqualTo("#28000");
  }

  @Test
  void lengthEncodedIntegersRoundTrip() throws ProtocolException {
    for (long v : new long[] {0, 250, 251, 65535, 65536, (1 << 24) - 1, 1 << 24, 1L << 40}) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      MySqlWire.lenenc(b, v);
      assertThat(new MySqlWire.Reader(b.toByteArray(), 0).lenenc()).isEqualTo(v);
    }
  }

  @Test
  void startupParametersAreReadInOrder() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(ByteBuffer.allocate(4).putInt(PgWire.PROTOCOL_3_0).array());
    for (String s : new String[] {"user", "app", "database", "test", "options", "-c x=1"}) {
      body.writeBytes(PgWire.cstringBytes(s));
    }
    body.write(0);
    byte[] b = body.toByteArray();
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.writeBytes(ByteBuffer.allocate(4).putInt(4 + b.length).array());
    packet.writeBytes(b);

    byte[] read =
        PgWire.readStartupPacket(
            new DataInputStream(new ByteArrayInputStream(packet.toByteArray())));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("user", "app");
    expected.put("database", "test");
    expected.put("options", "-c x=1");

    assertThat(PgWire.intAt(read, 0)).isEqualTo(PgWire.PROTOCOL_3_0);
    assertThat(PgWire.startupParameters(read)).containsExactlyEntriesOf(expected);
  }

  @Test
  void startupPacketsOfAbsurdLengthAreRefused() {
    byte[] huge = ByteBuffer.allocate(8).putInt(1 << 20).putInt(PgWire.PROTOCOL_3_0).array();
    assertThatThrownBy(
            () -> PgWire.readStartupPacket(new DataInputStream(new ByteArrayInputStream(huge))))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void errorResponseHasTheFieldsClientsShow() {
    byte[] body = PgWire.error("FATAL", "28P01", "PAM authentication failed for user \"app\"", "r");

    assertThat(PgWire.errorField(body, 'S')).isEqualTo("FATAL");
    assertThat(PgWire.errorField(body, 'C')).isEqualTo("28P01");
    assertThat(PgWire.errorField(body, 'M'))
        .isEqualTo("PAM authentication failed for user \"app\"");
    assertThat(body[body.length - 1]).isZero();
  }

  @Test
  void quotingKeepsNamesAndValuesInert() {
    assertThat(RdsPostgresEmulator.identifier("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(RdsPostgresEmulator.literal("it's")).isEqualTo("'it''s'");
    assertThat(RdsPostgresEmulator.literal("a\\'b")).isEqualTo("E'a\\\\''b'");
    assertThat(RdsMySqlEmulator.identifier("a`b")).isEqualTo("`a``b`");
    assertThat(RdsMySqlEmulator.literal("it's \\")).isEqualTo("'it''s \\\\'");
  }

  @Test
  void secretsAreRandomAsciiAndRedactable() {
    String a = Secrets.generate();
    String b = Secrets.generate();

    assertThat(a).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(b);
    assertThat(Secrets.redact("password " + a + " rejected", a)).isEqualTo("password *** rejected");
    assertThat(Arrays.asList(Secrets.redact("x", "")).get(0)).isEqualTo("x");
  }
}
