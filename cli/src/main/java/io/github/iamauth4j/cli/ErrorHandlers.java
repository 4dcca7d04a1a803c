package io.github.iamauth4j.cli;

import io.github.iamauth4j.core.IamAuthException;
import io.github.iamauth4j.core.IamConfigurationException;
import io.github.iamauth4j.core.TokenUnavailableException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command's failure output: exactly one line on stderr, no stack trace unless {@code
 * --verbose}. Exit code 2 for a usage error: a command line that cannot be understood, or an option
 * value the core rejects (an invalid cache name, region or port); 1 for every other failure.
 */
final class ErrorHandlers {
  /** A failure: no credentials, a value AWS does not accept, a malformed token. */
  static final int FAILURE = 1;

  /** The command line could not be understood (picocli's code for invalid input). */
  static final int USAGE = 2;

  private ErrorHandlers() {}

  /** A missing, unknown or unconvertible option or parameter: one line and a pointer to help. */
  static final class Usage implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      String name = cl.getCommandSpec().qualifiedName();
      String message = String.valueOf(ex.getMessage());
      // Argument-group errors start with "Error: ", redundant on a line that is one.
      if (message.startsWith("Error: ")) {
        message = message.substring("Error: ".length());
      }
      StringBuilder line = new StringBuilder(name).append(": ").append(message);
      if (ex instanceof UnmatchedArgumentException u) {
        List<String> suggestions = u.getSuggestions();
        if (!suggestions.isEmpty()) {
          line.append(" (did you mean: ")
              .append(String.join(", ", suggestions.subList(0, Math.min(3, suggestions.size()))))
              .append("?)");
        }
      }
      line.append(" (see '").append(name).append(" --help')");
      PrintWriter err = cl.getErr();
      err.println(Messages.oneLine(line.toString()));
      err.flush();
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
  }

  /** Any failure while running a command: one line, the stack trace only with --verbose. */
  static final class Failure implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
      PrintWriter err = cl.getErr();
      err.println("iamauth4j: " + Messages.oneLine(describe(ex)));
      if (verbose(parsed)) {
        ex.printStackTrace(err);
      }
      err.flush();
      // A value the core rejects came from an option: that is a usage error, like a bad flag.
      boolean usage =
          ex instanceof IamConfigurationException
              || ex.getCause() instanceof IamConfigurationException;
      return usage ? USAGE : FAILURE;
    }

    private static String describe(Exception ex) {
      String message = ex.getMessage();
      Throwable cause = ex.getCause();
      String causeMessage = cause != null ? cause.getMessage() : null;
      if (ex instanceof TokenUnavailableException
          && message != null
          && causeMessage != null
          && message.endsWith(causeMessage)) {
        // The core's "could not sign a token for <target>: " followed by the SDK's chain message.
        Optional<String> condensed = Messages.credentialChain(causeMessage);
        if (condensed.isPresent()) {
          return message.substring(0, message.length() - causeMessage.length()) + condensed.get();
        }
      }
      if ((ex instanceof CliFailure || ex instanceof IamAuthException)
          && message != null
          && !message.isBlank()) {
        return message;
      }
      return "unexpected failure: "
          + ex.getClass().getName()
          + (message == null || message.isBlank() ? "" : ": " + message)
          + " (run with --verbose for the stack trace)";
    }

    private static boolean verbose(ParseResult parsed) {
      for (ParseResult p = parsed; p != null; p = p.subcommand()) {
        if (p.hasMatchedOption("--verbose")) {
          return true;
        }
      }
      return false;
    }
  }
}
