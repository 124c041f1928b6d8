package dev.loupe.cli;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.tfevents.EventLog;
import dev.loupe.datasets.tfevents.TfEventReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe events}: prints a run's recorded scalars as CSV (step,tag,value) or lists its tags. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Print the scalars recorded in RUN/events/ as CSV (step,tag,value), or list the tags.")
final class EventsCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory (holds events/)")
    Path run;

    @Option(names = "--tag", description = "regular expression a tag must match in full, e.g. 'train/.*' (default: all tags)")
    String tag;

    @Option(names = "--list", description = "list tags with their number of points (scalars) and histogram steps instead of values")
    boolean list;

    @Override
    public Integer call() {
        if (!Files.isDirectory(run)) throw new BadInputException("no run directory " + run);
        Pattern filter;
        try {
            filter = tag == null ? null : Pattern.compile(tag);
        } catch (PatternSyntaxException e) {
            throw new BadInputException("--tag '" + tag + "' is not a regular expression: " + e.getDescription());
        }
        TfEventReader.Result read = TfEventReader.readDir(run.resolve("events"));
        read.warnings().forEach(w -> System.err.println("loupe: warning: " + w));
        EventLog log = EventLog.of(read);
        List<String> scalars = log.scalars().keySet().stream().filter(t -> filter == null || filter.matcher(t).matches()).toList();
        List<String> histos = log.histograms().keySet().stream().filter(t -> filter == null || filter.matcher(t).matches()).toList();
        if (filter != null && scalars.isEmpty() && histos.isEmpty()) {
            List<String> some = log.scalars().keySet().stream().limit(8).toList();
            throw new BadInputException("no recorded tag matches --tag '" + tag + "' (tags include " + String.join(", ", some)
                    + (log.scalars().size() > some.size() ? ", …" : "") + "; see 'loupe events --list')");
        }
        StringBuilder out = new StringBuilder(1 << 16);
        if (list) {
            out.append("tag,kind,points\n");
            for (String t : scalars) out.append(t).append(",scalar,").append(log.scalar(t).size()).append('\n');
            for (String t : histos) out.append(t).append(",histogram,").append(log.histograms().get(t).size()).append('\n');
        } else {
            out.append("step,tag,value\n");
            for (String t : scalars) {
                for (Map.Entry<Long, Float> e : ((NavigableMap<Long, Float>) log.scalar(t)).entrySet()) {
                    out.append(e.getKey()).append(',').append(t).append(',').append(e.getValue()).append('\n');
                    if (out.length() > 1 << 20) flush(out);
                }
            }
        }
        flush(out);
        return 0;
    }

    private static void flush(StringBuilder sb) {
        System.out.print(sb);
        System.out.flush();
        sb.setLength(0);
    }
}
