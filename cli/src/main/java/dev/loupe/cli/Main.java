package dev.loupe.cli;

import dev.loupe.datasets.BadInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loupe} command: trains, records, explains and renders; see {@code loupe --help}. */
@Command(name = "loupe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train neural networks on the CPU or GPU, record what every layer does, and explain the result.",
        subcommands = {
                TrainCommand.class,
                PredictCommand.class,
                InfoCommand.class,
                ExampleCommand.class,
                DemoCommand.class,
                RenderCommand.class,
                ImportCommand.class,
                BenchCommand.class,
                EventsCommand.class,
                ExplainCommand.class,
                SanityCommand.class,
                FaithfulnessCommand.class,
                LandscapeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for input the user can fix. */
    static final int BAD_INPUT = 2;
    /** Exit code for Loupe's own failures. */
    static final int INTERNAL = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (used by tests without exiting the JVM). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("loupe: " + ex.getMessage() + " (see 'loupe " + commandPath(ex.getCommandLine()) + "--help')");
            err.flush();
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            PrintWriter err = c.getErr();
            BadInputException bad = findBadInput(ex);
            if (bad != null) {
                err.println("loupe: " + oneLine(bad.getMessage()));
                err.flush();
                return BAD_INPUT;
            }
            err.println("loupe: internal error: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return INTERNAL;
        });
        return cl.execute(args);
    }

    private static String commandPath(CommandLine c) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine p = c; p.getParent() != null; p = p.getParent()) sb.insert(0, p.getCommandName() + " ");
        return sb.toString();
    }

    private static BadInputException findBadInput(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BadInputException b) return b;
        }
        return null;
    }

    private static String oneLine(String s) {
        return s == null ? "bad input" : s.replace('\n', ' ');
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Prints Loupe's and its libraries' versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return dev.loupe.engine.Versions.all().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .toArray(String[]::new);
        }
    }
}
