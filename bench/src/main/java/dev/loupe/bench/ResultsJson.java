package dev.loupe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** {@code results.json}: the report as data (NaN written as null), for tooling and later comparison. */
final class ResultsJson {
    private ResultsJson() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static byte[] bytes(Report r) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("suite", r.suite());
        root.put("started", r.started());
        ObjectNode machine = root.putObject("machine");
        r.machine().forEach(machine::put);
        ArrayNode rates = root.putArray("rates"), ratios = root.putArray("ratios"), checks = root.putArray("checks");
        for (Row row : r.rows()) {
            switch (row) {
                case Row.Rate rate -> {
                    ObjectNode o = rates.addObject();
                    o.put("workload", rate.workload());
                    o.put("contender", rate.contender());
                    o.put("kind", rate.kind().name().toLowerCase(java.util.Locale.ROOT));
                    o.put("unit", rate.unit());
                    number(o, "median", rate.median());
                    number(o, "min", rate.min());
                    number(o, "max", rate.max());
                    number(o, "spread", rate.spread());
                    o.put("batch", rate.batch());
                    number(o, "ms_per_step", rate.msPerStep());
                    ArrayNode w = o.putArray("windows");
                    rate.perWindow().forEach(w::add);
                    o.put("note", rate.note());
                }
                case Row.Ratio q -> {
                    ObjectNode o = ratios.addObject();
                    o.put("workload", q.workload());
                    o.put("loupe", q.loupe());
                    o.put("peer", q.peer());
                    number(o, "loupe_value", q.loupeValue());
                    number(o, "peer_value", q.peerValue());
                    o.put("unit", q.unit());
                    number(o, "ratio", q.ratio());
                    number(o, "required", q.required());
                    o.put("lower_is_better", q.lowerIsBetter());
                    o.put("bar", q.bar());
                    o.put("verdict", q.verdict());
                }
                case Row.Check c -> {
                    ObjectNode o = checks.addObject();
                    o.put("workload", c.workload());
                    o.put("check", c.what());
                    o.put("detail", c.detail());
                    o.put("ok", c.ok());
                }
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }
}
