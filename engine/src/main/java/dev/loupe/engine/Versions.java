package dev.loupe.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions of Loupe and the libraries it was built with, for provenance in run.json and benchmark output. */
public final class Versions {
    private Versions() {}

    /** Loupe, ND4J/DL4J and JCuda versions from the build, plus the running JVM and OS. */
    public static Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read versions.properties", e);
        }
        for (String k : new String[] {"loupe", "nd4j", "dl4j", "jcuda"}) out.put(k, p.getProperty(k, "unknown"));
        out.put("java", System.getProperty("java.vendor") + " " + Runtime.version());
        out.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        out.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return out;
    }
}
