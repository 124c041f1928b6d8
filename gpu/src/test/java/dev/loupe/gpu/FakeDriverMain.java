package dev.loupe.gpu;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.conformance.ConformanceResult;
import dev.loupe.engine.conformance.ConformanceSuite;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs in its own JVM (the driver it loads would otherwise stay loaded for every other test):
 * loads the stand-in {@code libcuda.so.1} first, so JCuda's driver library binds to it, then runs
 * the provider's probe, the cuda backend and the conformance suite through the real JCuda and FFM
 * code. Exit 0 when everything passes and all device and pinned memory was released.
 */
public final class FakeDriverMain {
    private FakeDriverMain() {}

    private static long counter(SymbolLookup l, String name) {
        return l.find(name).orElseThrow().reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
    }

    public static void main(String[] args) {
        System.load(args[0]);
        var why = new CudaProvider().unavailableReason();
        if (why.isPresent()) {
            System.out.println("unavailable: " + why.get());
            System.exit(3);
        }
        long failed;
        try (Backend b = Backends.open("cuda")) {
            System.out.println("device: " + b.device());
            List<ConformanceResult> results = ConformanceSuite.run(b, 1e-4);
            results.stream().filter(r -> !r.passed())
                    .forEach(r -> System.out.println("FAIL " + r.op() + " " + r.caseName() + " " + r.maxError()));
            failed = results.stream().filter(r -> !r.passed()).count();
            System.out.println("conformance: " + results.size() + " cases, " + failed + " failed, worst error "
                    + results.stream().mapToDouble(ConformanceResult::maxError).max().orElse(0));
            System.out.println("memory: " + b.memory());
        }
        // the JCuda launch path, kept as -Dloupe.cuda.launch=jcuda, on a few ops
        System.setProperty("loupe.cuda.launch", "jcuda");
        try (Backend b = Backends.open("cuda")) {
            var x = b.alloc(1000);
            var y = b.alloc(1000);
            b.fill(1000, 1.5f, x);
            b.fill(1000, 2f, y);
            b.axpy(1000, 3f, x, y);
            float[] out = new float[1000];
            b.download(y, 0, out, 0, 1000);
            boolean ok = true;
            for (float v : out) ok &= v == 6.5f;
            System.out.println("jcuda launches: " + b.device().contains("launched through JCuda") + ", axpy " + (ok ? "ok" : "wrong"));
            if (!ok) failed++;
        } finally {
            System.clearProperty("loupe.cuda.launch");
        }
        SymbolLookup fake = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        long live = counter(fake, "fake_live_allocs"), pinned = counter(fake, "fake_host_allocs"),
                launches = counter(fake, "fake_launches");
        System.out.println("after close: " + live + " device allocations, " + pinned + " pinned buffers; " + launches + " launches");
        System.exit(failed == 0 && live == 0 && pinned == 0 && launches > 0 ? 0 : 1);
    }
}
