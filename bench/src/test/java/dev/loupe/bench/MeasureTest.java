package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows are interleaved across contenders, short runs get one window, rates are steps × batch ÷ time. */
class MeasureTest {

    /** Pretends each window took exactly the requested time and did {@code stepsPerSecond × seconds} steps. */
    private record Fake(String name, int batch, double stepsPerSecond, List<String> log) implements Contender {
        public Kind kind() { return Kind.PEER; }

        public Window run(double seconds) {
            log.add(name + "@" + seconds);
            long steps = Math.max(1, Math.round(stepsPerSecond * seconds));
            return new Window(steps, (long) (steps / stepsPerSecond * 1e9));
        }
    }

    @Test
    void interleavesWindowsAndGivesShortRunsOneWindow() {
        List<String> log = new ArrayList<>();
        Suite suite = new Suite("t", 2.0, 3, 1.0, 0.5);
        List<Row.Rate> rows = Measure.interleaved("w", List.of(
                new Measure.Entry(new Fake("a", 10, 100, log), false),
                new Measure.Entry(new Fake("slow", 10, 2, log), true),
                new Measure.Entry(new Fake("b", 4, 50, log), false)), suite, ProgressSink.NONE);
        assertEquals(List.of("a@2.0", "slow@0.0", "b@2.0",          // warm-ups (a short run warms up with one step)
                "a@1.0", "slow@0.5", "b@1.0", "a@1.0", "b@1.0", "a@1.0", "b@1.0"), log);
        assertEquals(List.of(1000.0, 1000.0, 1000.0), rows.get(0).perWindow());
        assertEquals(List.of(20.0), rows.get(1).perWindow());
        assertEquals(200.0, rows.get(2).median(), 1e-9);
        assertEquals("short run (1 window of 0.5 s); ", rows.get(1).note());
    }
}
