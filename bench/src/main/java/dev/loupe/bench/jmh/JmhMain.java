package dev.loupe.bench.jmh;

import dev.loupe.engine.BackendProvider;
import dev.loupe.engine.Backends;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH's command line, with {@code backend} defaulting to every backend available here (so the
 * nd4j and cuda backends are measured as soon as they are on the class path). Any JMH option
 * works, e.g. {@code -wi 1 -i 1 -f 1 GemmBench}; {@code -p backend=nd4j} picks backends.
 */
public final class JmhMain {
    private JmhMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder opts = new OptionsBuilder().parent(cli);
        if (!cli.getParameter("backend").hasValue()) {
            List<String> names = Backends.providers().stream().filter(p -> p.unavailableReason().isEmpty())
                    .map(BackendProvider::name).toList();
            opts.param("backend", names.toArray(String[]::new));
        }
        new Runner(opts.build()).run();
    }
}
