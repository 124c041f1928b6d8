package dev.loupe.bench;

import dev.loupe.engine.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/** The machine and library versions printed beside every benchmark number. */
public final class MachineInfo {
    private MachineInfo() {}

    /** CPU, cores, memory, OS, JDK, ND4J/DL4J and the BLAS ND4J loaded, as display strings. */
    public static Map<String, String> collect() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors() + " (available to the JVM)");
        m.put("memory", memory());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vendor") + " " + Runtime.version());
        Map<String, String> v = Versions.all();
        m.put("loupe", v.get("loupe"));
        m.put("nd4j", v.get("nd4j"));
        m.put("dl4j", v.get("dl4j"));
        m.put("nd4j BLAS", nd4jBlas());
        return m;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return "unknown";
    }

    /** The BLAS vendor ND4J reports, its version, and the thread counts it uses. */
    private static String nd4jBlas() {
        try {
            Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
            String vendor = String.valueOf(Nd4j.factory().blas().getBlasVendor());
            var e = Nd4j.getEnvironment();
            String version = e.blasMajorVersion() > 0 // ND4J's bundled OpenBLAS reports 0.0.0
                    ? " " + e.blasMajorVersion() + "." + e.blasMinorVersion() + "." + e.blasPatchVersion() : "";
            return String.format("%s%s (bundled with nd4j-native), %s ND4J threads, %d BLAS threads", vendor, version,
                    env.getOrDefault("omp.threads", e.maxThreads()), Nd4j.factory().blas().getMaxThreads());
        } catch (RuntimeException | LinkageError e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
