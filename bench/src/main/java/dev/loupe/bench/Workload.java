package dev.loupe.bench;

import java.util.List;

/**
 * One benchmark of the suite (training throughput, recording overhead, integrated gradients,
 * loss landscape, ...): it measures Loupe and its peers side by side and returns table rows.
 * New workloads are separate classes added to {@link SuiteRunner#workloads}.
 */
public interface Workload {

    /** Short name, e.g. {@code train-mlp}; prefixes every row it returns. */
    String name();

    /** Measures everything this workload compares, reporting progress through {@code ctx}. */
    List<Row> run(BenchContext ctx) throws Exception;
}
