package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns failures into the one line the command prints on stderr. */
final class Messages {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@+=-]{0,80}");
  private static final Pattern LINE_BREAKS = Pattern.compile("\\s*[\\r\\n]+\\s*");
  // A token pasted in the wrong place must not be echoed back (terminals get recorded).
  private static final Pattern TOKEN = Pattern.compile("[^\\s'\"]*/\\?[^\\s'\"]*X-Amz-[^\\s'\"]*");

  private static final String CHAIN_PREFIX =
      "Unable to load credentials from any of the providers in the chain";
  private static final Pattern PROVIDER_START =
      Pattern.compile(", (?=[A-Z][A-Za-z0-9]*CredentialsProvider\\()");
  private static final Pattern PROFILE_NAME = Pattern.compile("profileName=([^,)]+)");
  // What each source of the default chain says when it is simply not set up.
  private static final Pattern ABSENT =
      Pattern.compile(
          "^(Unable to load credentials from system settings"
              + "|Either the environment variable AWS_WEB_IDENTITY_TOKEN_FILE"
              + "|Profile file contained no credentials"
              + "|Cannot fetch credentials from container - neither)");

  private Messages() {}

  /**
   * The core's configuration problems, each naming the command-line option instead of the core's
   * setting (e.g. {@code --cache} for {@code cacheName}), joined on one line.
   */
  static String configuration(IamConfigurationException e, Map<String, String> optionNames) {
    List<String> lines = new ArrayList<>();
    for (String problem : e.problems()) {
      int colon = problem.indexOf(": ");
      String setting = colon > 0 ? problem.substring(0, colon) : "";
      String option = "region".equals(setting) ? "--region" : optionNames.get(setting);
      String line = option != null ? option + problem.substring(colon) : problem;
      line =
          line.replace("region(\"us-east-1\")", "--region us-east-1")
              .replace("the region setting (not set)", "--region (not given)");
      line =
          optionNames.containsValue("--endpoint")
              ? line.replace("the endpoint setting (not set)", "--endpoint (not given)")
              : line.replace(", the endpoint setting (not set)", "");
      lines.add(line);
    }
    return String.join("; ", lines);
  }

  /**
   * The AWS SDK's "no credentials" message, condensed: one short entry per source of its chain,
   * with the reason only where a source was configured but failed (a credential_process that
   * failed, an expired SSO session), not where it was simply absent. Empty if the message is not in
   * the SDK's chain format, which is then shown as it is.
   */
  static Optional<String> credentialChain(String sdkMessage) {
    int list = sdkMessage.indexOf(" : [");
    if (!sdkMessage.startsWith(CHAIN_PREFIX) || list < 0 || !sdkMessage.endsWith("]")) {
      return Optional.empty();
    }
    List<String> tried = new ArrayList<>();
    String entries = sdkMessage.substring(list + 4, sdkMessage.length() - 1);
    for (String entry : PROVIDER_START.split(entries)) {
      int open = entry.indexOf('(');
      int close = matchingParen(entry, open);
      if (open <= 0 || close < 0 || !entry.startsWith(": ", close + 1)) {
        return Optional.empty();
      }
      String provider = entry.substring(0, open);
      String reason = entry.substring(close + 3).strip();
      if (reason.endsWith(".")) {
        reason = reason.substring(0, reason.length() - 1);
      }
      tried.add(source(provider, entry.substring(open + 1, close), reason));
    }
    return Optional.of(
        "no AWS credentials found; tried "
            + String.join(", ", tried)
            + " (--verbose shows the AWS SDK's full answer)");
  }

  private static String source(String provider, String details, String reason) {
    boolean absent = ABSENT.matcher(reason).find();
    String label;
    switch (provider) {
      case "SystemPropertyCredentialsProvider" -> label = "system property aws.accessKeyId";
      case "EnvironmentVariableCredentialsProvider" -> label = "variable AWS_ACCESS_KEY_ID";
      case "WebIdentityTokenFileCredentialsProvider" -> label = "web identity token file";
      case "ContainerCredentialsProvider" -> label = "container credentials";
      case "InstanceProfileCredentialsProvider" -> {
        label = "instance metadata";
        if (reason.contains("disabled")) {
          return label + " (disabled)";
        }
      }
      case "ProfileCredentialsProvider" -> {
        Matcher m = PROFILE_NAME.matcher(details);
        label = m.find() ? "profile " + quote(m.group(1)) : "profile";
      }
      default -> label = provider;
    }
    return absent ? label : label + " (" + reason + ")";
  }

  private static int matchingParen(String s, int open) {
    if (open < 0) {
      return -1;
    }
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * One printable line: line breaks become spaces, control characters become escapes, and anything
   * that looks like a token is not repeated.
   */
  static String oneLine(String message) {
    String s = LINE_BREAKS.matcher(message.strip()).replaceAll(" ");
    s = TOKEN.matcher(s).replaceAll("(a token, not repeated here)");
    return Printable.of(s);
  }

  /** Quotes a short harmless value; describes any other without repeating it. */
  static String quote(String value) {
    if (SAFE.matcher(value).matches()) {
      return "\"" + value + "\"";
    }
    return "(a value of " + value.length() + " characters, not repeated here)";
  }
}
