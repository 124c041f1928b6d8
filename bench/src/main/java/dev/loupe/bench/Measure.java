package dev.loupe.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Times contenders side by side: each warms up, then the timed windows are interleaved (window 1
 * of every contender, then window 2, ...), so a burst of load from elsewhere on a shared machine
 * lands on all of them rather than on whoever happened to run then. A short-run contender
 * (too slow for the full schedule) warms up with one step and gets one short window.
 */
final class Measure {
    private Measure() {}

    /** A contender and whether it only gets the short run. */
    record Entry(Contender contender, boolean shortRun) {}

    static List<Row.Rate> interleaved(String workload, List<Entry> entries, Suite suite, ProgressSink progress) {
        List<List<Double>> rates = new ArrayList<>();
        // progress in units of planned seconds, so the bar moves at roughly constant speed
        double total = 0, done = 0;
        for (Entry e : entries) {
            total += e.shortRun() ? suite.shortSeconds() : suite.warmupSeconds() + suite.windows() * suite.windowSeconds();
        }
        for (Entry e : entries) {
            progress.update(done / total, workload + ": warming up " + e.contender().name());
            e.contender().run(e.shortRun() ? 0 : suite.warmupSeconds());
            done += e.shortRun() ? 0 : suite.warmupSeconds();
            rates.add(new ArrayList<>());
        }
        for (int w = 0; w < suite.windows(); w++) {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.shortRun() && w > 0) continue;
                Contender c = e.contender();
                double seconds = e.shortRun() ? suite.shortSeconds() : suite.windowSeconds();
                double rate = c.run(seconds).samplesPerSecond(c.batch());
                rates.get(i).add(rate);
                done += seconds;
                progress.update(done / total, String.format("%s: window %d/%d %s %,.0f samples/s", workload, w + 1,
                        suite.windows(), c.name(), rate));
            }
        }
        List<Row.Rate> rows = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            String note = e.contender().note();
            if (e.shortRun()) note = "short run (1 window of " + suite.shortSeconds() + " s); " + note;
            rows.add(new Row.Rate(workload, e.contender().name(), e.contender().kind(), "samples/s", e.contender().batch(),
                    rates.get(i), note));
        }
        return rows;
    }
}
