package dev.loupe.bench;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every {@link Workload} runs with: the suite's timings, the Loupe backends and peers to
 * measure, the thread count all contenders share, and where to report progress.
 *
 * @param backends Loupe backend names (as for {@code Backends.open}); {@code reference} gets a short run only
 * @param threads  threads every contender may use (PyTorch's {@code set_num_threads})
 * @param progress how far the current workload is (the CLI shows it on stderr)
 * @param versions library versions discovered while running (e.g. {@code torch}), for the report
 */
public record BenchContext(Suite suite, List<String> backends, Set<Peer> peers, int threads,
                           ProgressSink progress, Map<String, String> versions) {

    public BenchContext {
        backends = List.copyOf(backends);
        peers = Set.copyOf(peers);
    }

    /** A context with an empty, thread-safe version map. */
    public static BenchContext of(Suite suite, List<String> backends, Set<Peer> peers, int threads, ProgressSink progress) {
        return new BenchContext(suite, backends, peers, threads, progress, new ConcurrentHashMap<>());
    }

    /** The same context reporting progress to {@code sink} (one workload's slot of the suite). */
    public BenchContext withProgress(ProgressSink sink) {
        return new BenchContext(suite, backends, peers, threads, sink, versions);
    }

    /** This run's backends that are measured in full (not only given the training short run). */
    public List<String> fullyMeasured() {
        return backends.stream().filter(b -> !shortRunOnly(b)).toList();
    }

    /**
     * A "skipped" rate row in {@code unit} for each of this run's backends that only get the
     * training short run, so a workload's table still names them.
     */
    public List<Row> skippedShortRunRows(String workload, String unit, int batch) {
        return backends.stream().filter(BenchContext::shortRunOnly)
                .<Row>map(b -> new Row.Rate(workload, "loupe/" + b, Contender.Kind.LOUPE, unit, batch, List.of(),
                        "skipped: the " + b + " backend only gets the training short run"))
                .toList();
    }

    /** Whether {@code backend} is only given a short run (it would take minutes otherwise). */
    public static boolean shortRunOnly(String backend) {
        return backend.equals("reference");
    }
}
