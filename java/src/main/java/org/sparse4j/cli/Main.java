package org.sparse4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sparse4j} command line: doctor, conformance, convert, info. */
@Command(name = "sparse4j", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Native sparse kernels for the JVM: check this machine, run conformance, convert and inspect matrices.",
        subcommands = {DoctorCommand.class, ConformanceCommand.class, ConvertCommand.class, InfoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit status (for tests and embedding). */
    public static int execute(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::report).execute(args);
    }

    /** Bad input (a malformed file, a missing path, a bad option value) is one line and status 2, not a stack trace. */
    private static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean userError = e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException
                || e instanceof IllegalArgumentException || e instanceof org.sparse4j.Sparse4jException
                || e instanceof UnsupportedOperationException;
        if (!userError) {
            throw new IllegalStateException(e);
        }
        Throwable root = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String what = root instanceof java.nio.file.NoSuchFileException ? "no such file: " + root.getMessage() : root.getMessage();
        cmd.getErr().println("sparse4j " + cmd.getCommandName() + ": " + what);
        return 2;
    }
}
