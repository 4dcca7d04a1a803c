package io.github.iamauth4j.cli;

import picocli.CommandLine.Option;

/** {@code --help} and {@code --version}, listed after a command's own options. */
final class HelpOptions {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      order = 90,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      order = 91,
      description = "Print the version and exit.")
  boolean version;
}
