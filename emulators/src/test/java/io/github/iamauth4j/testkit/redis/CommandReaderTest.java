package io.github.iamauth4j.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CommandReaderTest {

  private static CommandReader reader(String input) {
    return new CommandReader(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
  }

  private static String raw(CommandReader r) {
    return new String(Arrays.copyOf(r.raw(), r.rawLength()), StandardCharsets.UTF_8);
  }

  @Test
  void pipelinedRespCommandsAreReadOneByOneWithTheirExactBytes() throws IOException {
    String auth = "*3\r\n$4\r\nauth\r\n$3\r\napp\r\n$5\r\nt\r\nk!\r\n";
    String get = "*2\r\n$3\r\nGET\r\n$0\r\n\r\n";
    CommandReader r = reader(auth + get);

    assertThat(r.next()).isTrue();
    assertThat(r.name()).isEqualTo("AUTH");
    assertThat(r.argc()).isEqualTo(3);
    assertThat(r.argText(2)).isEqualTo("t\r\nk!");
    assertThat(raw(r)).isEqualTo(auth);
    assertThat(r.isInline()).isFalse();

    assertThat(r.next()).isTrue();
    assertThat(r.name()).isEqualTo("GET");
    assertThat(r.argText(1)).isEmpty();
    assertThat(raw(r)).isEqualTo(get);

    assertThat(r.next()).isFalse();
  }

  @Test
  void inlineCommandsAreSplitLikeRedisDoes() throws IOException {
    CommandReader r = reader("hello 3 AUTH app \"a b\\\"c\" 'x y'\r\nPING\n\r\n");

    assertThat(r.next()).isTrue();
    assertThat(r.isInline()).isTrue();
    assertThat(r.name()).isEqualTo("HELLO");
    assertThat(r.argc()).isEqualTo(6);
    assertThat(r.argText(4)).isEqualTo("a b\"c");
    assertThat(r.argText(5)).isEqualTo("x y");
    assertThat(raw(r)).isEqualTo("hello 3 AUTH app \"a b\\\"c\" 'x y'\r\n");

    assertThat(r.next()).isTrue();
    assertThat(r.name()).isEqualTo("PING");
    assertThat(raw(r)).isEqualTo("PING\n");

    assertThat(r.next()).isTrue();
    assertThat(r.argc()).isZero();
    assertThat(r.name()).isEmpty();
    assertThat(raw(r)).isEqualTo("\r\n");
  }

  @Test
  void aMalformedRequestKeepsTheBytesConsumedForTheBackend() throws IOException {
    CommandReader r = reader("*2\r\n$3\r\nGET\r\n:1\r\nrest");

    assertThatThrownBy(r::next)
        .isInstanceOf(CommandReader.ProtocolException.class)
        .hasMessageContaining("expected '$'");
    assertThat(raw(r)).isEqualTo("*2\r\n$3\r\nGET\r\n:");
  }

  @Test
  void anInvalidLengthIsAProtocolError() {
    assertThatThrownBy(() -> reader("*x\r\n").next())
        .isInstanceOf(CommandReader.ProtocolException.class);
    assertThatThrownBy(() -> reader("*1\r\n$-5\r\n").next())
        .isInstanceOf(CommandReader.ProtocolException.class);
    assertThatThrownBy(() -> reader("*1\r\n$3\r\nGETXX").next())
        .isInstanceOf(CommandReader.ProtocolException.class)
        .hasMessageContaining("CRLF");
  }

  @Test
  void theStreamEndingInsideACommandIsAnEof() {
    assertThatThrownBy(() -> reader("*2\r\n$3\r\nGET\r\n$5\r\nab").next())
        .isInstanceOf(EOFException.class);
  }
}
