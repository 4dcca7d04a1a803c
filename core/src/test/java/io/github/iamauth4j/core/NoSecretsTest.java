package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.iamauth4j.core.internal.SigV4;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A token, a secret key or a session token never appears in a toString(), an exception message, an
 * event or a log line (CONVENTIONS.md). Tokens here are signed with session credentials whose
 * secrets contain the characters that need encoding.
 */
class NoSecretsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String SECRET = FakeCredentials.SECRET;
  private static final String SESSION_TOKEN = FakeCredentials.SESSION_TOKEN;

  private final List<String> texts = new ArrayList<>();

  private void collect(Object o) {
    texts.add(String.valueOf(o));
  }

  /** The message of every throwable in the chain (ours and the fakes' benign ones). */
  private void collectMessages(Throwable t) {
    assertThat(t).isNotNull();
    for (Throwable c = t; c != null; c = c.getCause()) {
      collect(c.getMessage());
      collect(c);
    }
  }

  private static List<String> secretsOf(String token) {
    String signature =
        token.substring(token.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length());
    return List.of(
        token,
        signature,
        SECRET,
        SESSION_TOKEN,
        SigV4.encode(SESSION_TOKEN),
        // pieces long enough to identify them
        SECRET.substring(0, 20),
        SESSION_TOKEN.substring(20, 60));
  }

  @Test
  void noSecretInToStringsEventsExceptionsOrLogs() throws Exception {
    MutableClock clock = new MutableClock(T0);
    ManualScheduler scheduler = new ManualScheduler(clock);
    FakeCredentials creds =
        FakeCredentials.basic().succeedWithSession(T0.plus(Duration.ofHours(1)));
    List<IamAuthEvent> events = new CopyOnWriteArrayList<>();
    IamTarget target = IamTarget.rds("db1.abc123.eu-west-1.rds.amazonaws.com", 5432, "app");
    IamTokenProvider provider =
        IamTokenProvider.builder()
            .target(target)
            .credentialsProvider(creds)
            .clock(clock)
            .scheduler(scheduler)
            .firstTokenTimeout(Duration.ofMillis(200))
            .listener(events::add)
            .listener(
                e -> {
                  throw new IllegalStateException("a broken listener");
                })
            .build();
    provider.subscribe(
        t -> {
          throw new IllegalStateException("a broken subscriber");
        });

    // A token signed with session credentials, and everything that describes it.
    provider.prefetch();
    scheduler.runPending();
    AuthToken token = provider.token();
    assertThat(ParsedToken.parse(token.value()).sessionToken()).contains(SESSION_TOKEN);
    collect(token);
    collect(ParsedToken.parse(token.value()));
    collect(provider);
    collect(
        IamTokenGenerator.builder()
            .target(target)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(
                        FakeCredentials.ACCESS_KEY_ID, SECRET, SESSION_TOKEN)))
            .clock(clock)
            .build());

    // A refresh that succeeds (subscriber and listener fail), then an outage longer than the token.
    clock.set(scheduler.nextDue().orElseThrow());
    scheduler.runDue();
    AuthToken second = provider.token();
    assertThat(second).isNotSameAs(token);
    creds.fail(new IllegalStateException("the credential endpoint answered 500"));
    while (clock.instant().isBefore(second.usableUntil().minusSeconds(30))) {
      clock.set(scheduler.nextDue().orElseThrow());
      scheduler.runDue();
    }
    collectMessages(catchThrowable(provider::token));
    CompletableFuture<AuthToken> failed = provider.tokenAsync();
    assertThat(failed).isCompletedExceptionally();
    collectMessages(catchThrowable(failed::join));

    // Credentials about to expire: refused, with a message.
    creds.succeedWithSession(clock.instant().plusSeconds(45));
    // Nobody asked during the outage, so background retries have stopped: a request starts one.
    clock.advance(java.time.Duration.ofSeconds(31));
    provider.tokenAsync();
    scheduler.runDue();
    collectMessages(catchThrowable(provider::token));

    // Adapter events.
    provider
        .events()
        .publish(
            new IamAuthEvent.ReauthenticationFailed(
                target,
                clock.instant(),
                "conn-1 to 10.0.0.1:6379",
                new IllegalStateException("WRONGPASS")));
    provider
        .events()
        .publish(
            new IamAuthEvent.ConnectionRetired(
                target, clock.instant(), "conn-2", Duration.ofHours(6)));
    provider
        .events()
        .publish(new IamAuthEvent.ConnectionReauthenticated(target, clock.instant(), "conn-3"));

    provider.close();
    collectMessages(catchThrowable(provider::token));
    collect(provider);
    events.forEach(this::collect);
    assertThat(events)
        .hasAtLeastOneElementOfType(IamAuthEvent.TokenIssued.class)
        .hasAtLeastOneElementOfType(IamAuthEvent.RefreshFailed.class)
        .hasAtLeastOneElementOfType(IamAuthEvent.ReauthenticationFailed.class);

    // Configuration errors given a secret by mistake.
    collectMessages(
        catchThrowable(() -> IamTokenGenerator.builder().target(target).region(SECRET).build()));
    collectMessages(
        catchThrowable(
            () ->
                IamTokenGenerator.builder()
                    .target(IamTarget.elastiCache("orders", "app"))
                    .endpoint(SECRET)
                    .regionChain(() -> null)
                    .build()));
    collectMessages(catchThrowable(() -> IamTarget.rds(SECRET, 5432, SESSION_TOKEN)));
    collectMessages(catchThrowable(() -> IamTarget.elastiCache(SECRET, SECRET)));
    collectMessages(catchThrowable(() -> IamTarget.dsql("h", SECRET + "\n")));
    // Malformed tokens: the parser's messages never repeat them.
    collectMessages(
        catchThrowable(() -> ParsedToken.parse(token.value() + "&X-Amz-Security-Token=x")));
    collectMessages(catchThrowable(() -> ParsedToken.parse(token.value() + "%ZZ")));
    collectMessages(
        catchThrowable(() -> ParsedToken.parse(token.value().replace("X-Amz-Date", "X-Amz-Dote"))));
    collectMessages(
        catchThrowable(
            () ->
                SigV4Presigner.create()
                    .presign(
                        target,
                        "eu-west-1",
                        AwsSessionCredentials.create(
                            FakeCredentials.ACCESS_KEY_ID, SECRET, SESSION_TOKEN),
                        T0,
                        Duration.ofHours(1))));

    List<String> secrets = new ArrayList<>(secretsOf(token.value()));
    secrets.addAll(secretsOf(second.value()));
    for (String text : texts) {
      for (String secret : secrets) {
        assertThat(text).as("a text the core produced").doesNotContain(secret);
      }
    }
    assertThat(texts).anyMatch(t -> t.contains("no usable token for RDS endpoint"));
    assertThat(texts).anyMatch(t -> t.contains("less than twice the safety margin"));
    assertThat(texts).anyMatch(t -> t.contains("not repeated here"));

    // The log of the whole test run so far (slf4j-simple writes to this file, see pom.xml).
    String logFile = System.getProperty("org.slf4j.simpleLogger.logFile");
    assertThat(logFile).as("surefire sets the log file").isNotNull();
    String log = Files.readString(Path.of(logFile), StandardCharsets.UTF_8);
    assertThat(log)
        .as("the capture works: this test's lines are there")
        .contains("could not refresh the token for RDS endpoint")
        .contains("no usable token for RDS endpoint")
        .contains("a token subscriber for RDS endpoint")
        .contains("an iamauth4j listener failed")
        .contains("re-authentication of conn-1");
    for (String secret : secrets) {
      assertThat(log).as("the log").doesNotContain(secret);
    }
  }
}
