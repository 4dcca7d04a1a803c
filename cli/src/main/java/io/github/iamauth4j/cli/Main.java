package io.github.iamauth4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point of {@code java -jar iamauth4j.jar}. Exit codes: 0 success, 1 failure (one line on
 * stderr), 2 the command line could not be understood.
 */
public final class Main {
  private Main() {}

  /**
   * Runs the command and exits the JVM with its exit code.
   *
   * @param args the command line, e.g. {@code token elasticache --cache orders --user app}
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(CliContext.system(), out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the command line in-process and returns its exit code; the JVM keeps running. */
  static int execute(CliContext context, PrintWriter out, PrintWriter err, String... args) {
    String undecodable = Locales.undecodableArgument(args);
    if (undecodable != null) {
      err.println("iamauth4j: " + undecodable);
      return 2;
    }
    return commandLine(context, out, err).execute(args);
  }

  /** The configured command line: subcommands, error handling and streams. */
  static CommandLine commandLine(CliContext context, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new IamAuth4jCommand(context));
    cl.setExpandAtFiles(false);
    cl.setParameterExceptionHandler(new ErrorHandlers.Usage());
    cl.setExecutionExceptionHandler(new ErrorHandlers.Failure());
    // After the subcommands exist: these settings are copied to every subcommand.
    cl.setOut(out);
    cl.setErr(err);
    return cl;
  }
}
