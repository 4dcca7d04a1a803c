package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.ParsedToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iamauth4j inspect TOKEN|-}: what a token was signed for, by which access key, when, and
 * whether it has expired. Prints no secret material: neither the signature nor the session token.
 */
@Command(
    name = "inspect",
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Show what a token was signed for and whether it has expired.",
      "Service, region, host, user, access key id, signing time and expiry. Prints no "
          + "secret: not the signature, not the session token. It cannot check the signature "
          + "(that needs the secret key)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  iamauth4j token rds --host db1.abc123.eu-west-1.rds.amazonaws.com \\",
      "    --port 5432 --user app | iamauth4j inspect -",
      "  iamauth4j inspect --json - < token.txt | jq .expired"
    })
final class InspectCommand implements Callable<Integer> {
  @Mixin HelpOptions helpOptions;

  /** Far above any real token (a few thousand characters with a session token). */
  private static final int MAX_TOKEN_CHARS = 65_536;

  private static final String LABEL_FORMAT = "%-15s%s%n";

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "TOKEN",
      description =
          "The token, or - to read it from standard input (keeps it out of shell history and"
              + " the process list).")
  String token;

  @Option(order = 1, names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    CliContext context = IamAuth4jCommand.context(spec);
    String raw = "-".equals(token) ? readToken(context.in()) : token;
    ParsedToken parsed;
    try {
      parsed = ParsedToken.parse(raw);
    } catch (IllegalArgumentException e) {
      // The core's message says which part is wrong and never repeats the token.
      throw new CliFailure(String.valueOf(e.getMessage()), e);
    }
    Instant now = context.clock().instant();
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? json(parsed, now) + System.lineSeparator() : text(parsed, now));
    out.flush();
    return 0;
  }

  private static String readToken(InputStream in) {
    StringBuilder b = new StringBuilder();
    char[] buf = new char[4096];
    try {
      Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
      int n;
      while ((n = r.read(buf)) >= 0) {
        b.append(buf, 0, n);
        if (b.length() > MAX_TOKEN_CHARS) {
          throw new CliFailure(
              "standard input: more than "
                  + MAX_TOKEN_CHARS
                  + " characters, which is not a token (expected one line: <host>/?<query>)",
              null);
        }
      }
    } catch (IOException e) {
      throw new CliFailure("standard input: could not be read: " + e.getMessage(), e);
    }
    String t = b.toString().strip();
    if (t.isEmpty()) {
      throw new CliFailure("standard input: no token (expected one line: <host>/?<query>)", null);
    }
    return t;
  }

  private static String text(ParsedToken t, Instant now) {
    StringBuilder b = new StringBuilder();
    line(b, "service", t.service() + " (" + kind(t) + ")");
    line(b, "region", t.region());
    line(b, "host", t.host());
    String user = user(t);
    line(
        b,
        "user",
        user != null ? user : "(not in the token: DbConnect is for any role except admin)");
    line(b, "action", t.action());
    line(b, "resource type", t.resourceType().orElse("-"));
    line(b, "access key id", t.accessKeyId());
    line(b, "signed at", t.signedAt().toString());
    line(
        b,
        "expiry",
        Conversions.human(t.expiry())
            + " ("
            + t.expiry().getSeconds()
            + " s), until "
            + t.expiresAt());
    line(b, "expired", status(t, now));
    line(b, "session token", t.hasSessionToken() ? "present (not shown)" : "absent");
    line(b, "signature", "not verified (that needs the secret key)");
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String value) {
    b.append(String.format(LABEL_FORMAT, label, Printable.of(value)));
  }

  private static String status(ParsedToken t, Instant now) {
    Duration left = Duration.between(now, t.expiresAt());
    if (!now.isBefore(t.expiresAt())) {
      return "yes, " + Conversions.human(left) + " ago";
    }
    if (now.isBefore(t.signedAt())) {
      return "no, "
          + Conversions.human(left)
          + " left, but it was signed "
          + Conversions.human(Duration.between(now, t.signedAt()))
          + " in the future (check the clocks: the server may reject it)";
    }
    return "no, " + Conversions.human(left) + " left";
  }

  private static String json(ParsedToken t, Instant now) {
    Map<String, @Nullable Object> f = new LinkedHashMap<>();
    f.put("service", t.service());
    f.put("kind", kind(t));
    f.put("region", t.region());
    f.put("host", t.host());
    f.put("user", user(t));
    f.put("action", t.action());
    f.put("resourceType", t.resourceType().orElse(null));
    f.put("accessKeyId", t.accessKeyId());
    f.put("signedAt", t.signedAt().toString());
    f.put("expirySeconds", t.expiry().getSeconds());
    f.put("expiresAt", t.expiresAt().toString());
    f.put("expired", !now.isBefore(t.expiresAt()));
    f.put("expiresInSeconds", Duration.between(now, t.expiresAt()).getSeconds());
    f.put("sessionToken", t.hasSessionToken());
    return Json.object(f);
  }

  /** The signed user; for Aurora DSQL only the admin role is implied by the action. */
  private static @Nullable String user(ParsedToken t) {
    if ("dsql".equals(t.service())) {
      return "DbConnectAdmin".equals(t.action()) ? "admin" : null;
    }
    return t.user().orElse(null);
  }

  private static String kind(ParsedToken t) {
    return switch (t.service()) {
      case "elasticache" ->
          t.resourceType().isPresent()
              ? "ElastiCache Serverless cache"
              : "ElastiCache replication group";
      case "memorydb" -> "MemoryDB cluster";
      case "rds-db" -> "RDS / Aurora / RDS Proxy endpoint";
      case "dsql" -> "Aurora DSQL cluster";
      default -> "not a service iamauth4j knows";
    };
  }
}
