package dev.loupe.datasets.tfevents;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A run's recorded values by tag and step; tags keep the order they first appear in (the recorder
 * writes layers in network order). Where a step appears twice (a run resumed from a
 * checkpoint repeats the steps after it) the later record wins.
 *
 * @param scalars    tag → step → value
 * @param histograms tag → step → histogram
 * @param warnings   records the reader skipped
 */
public record EventLog(Map<String, NavigableMap<Long, Float>> scalars,
                       Map<String, NavigableMap<Long, Histogram>> histograms, List<String> warnings) {

    /** Collects the events of a reader result. */
    public static EventLog of(TfEventReader.Result r) {
        Map<String, NavigableMap<Long, Float>> s = new LinkedHashMap<>();
        Map<String, NavigableMap<Long, Histogram>> h = new LinkedHashMap<>();
        for (TfEvent e : r.events()) {
            for (SummaryValue v : e.values()) {
                switch (v) {
                    case SummaryValue.Scalar x -> s.computeIfAbsent(x.tag(), k -> new TreeMap<>()).put(e.step(), x.value());
                    case SummaryValue.Histo x -> h.computeIfAbsent(x.tag(), k -> new TreeMap<>()).put(e.step(), x.histogram());
                }
            }
        }
        return new EventLog(s, h, r.warnings());
    }

    /** Reads {@code runDir/events/}. */
    public static EventLog readRun(Path runDir) {
        return of(TfEventReader.readDir(runDir.resolve("events")));
    }

    /** The series of one scalar tag (empty when absent). */
    public NavigableMap<Long, Float> scalar(String tag) {
        return scalars.getOrDefault(tag, new TreeMap<>());
    }
}
