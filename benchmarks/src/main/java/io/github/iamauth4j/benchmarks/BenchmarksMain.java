package io.github.iamauth4j.benchmarks;

import io.github.iamauth4j.benchmarks.soak.SoakCommand;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The main class of {@code benchmarks.jar}: {@code soak …} runs the soak harness ({@link
 * SoakCommand}); anything else goes to JMH's own main, as before ({@code -h} for its options).
 */
public final class BenchmarksMain {
  private BenchmarksMain() {}

  /**
   * @param args {@code soak} and its options, or JMH's arguments
   * @throws Exception what JMH throws
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("soak")) {
      quietLogs();
      int status =
          new CommandLine(new SoakCommand()).execute(Arrays.copyOfRange(args, 1, args.length));
      System.exit(status);
    }
    org.openjdk.jmh.Main.main(args);
  }

  /**
   * Warnings only from the clients and the emulators (Lettuce logs every re-authentication at
   * INFO), unless set on the command line; the harness's progress goes to standard error itself.
   */
  private static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }
}
