package dev.loupe.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds Loupe's CUDA kernels as a host shared library (g++, {@code src/test/cuda/emu_shim.h}) so
 * that tests can run the very same kernel source without a GPU. The kernel table is generated
 * from the {@code .entry} names of the committed PTX, so every shipped kernel is in it.
 */
final class KernelEmulator {
    private KernelEmulator() {}

    private static Path built;

    static boolean compilerPresent() {
        try {
            return run(List.of("g++", "--version"), scratch("loupe-gxx")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A temporary folder removed when the test JVM exits (the libraries built in it stay loaded
     * until then; on Linux a loaded library may be unlinked).
     */
    static Path scratch(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // best effort: a leftover temporary folder is harmless
            }
        }));
        return dir;
    }

    /** Every kernel entry point in the shipped PTX, in module order. */
    static List<String> entryNames() {
        List<String> names = new ArrayList<>();
        Pattern entry = Pattern.compile("\\.entry\\s+(\\w+)\\(");
        for (String m : KernelImages.MODULES) {
            Matcher mm = entry.matcher(new String(KernelImages.read(m + ".ptx", false), StandardCharsets.US_ASCII));
            while (mm.find()) names.add(mm.group(1));
        }
        return names;
    }

    /** Each kernel's parameter types as the PTX declares them ({@code u64}, {@code f32}, ...). */
    static java.util.Map<String, List<String>> signatures() {
        java.util.Map<String, List<String>> sig = new java.util.HashMap<>();
        Pattern entry = Pattern.compile("\\.entry\\s+(\\w+)\\(([^)]*)\\)");
        // ".param .u64 name" → "u64"; a struct by value, ".param .align 8 .b8 name[1352]" → "b8[1352]"
        Pattern param = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\s+\\w+(\\[\\d+\\])?");
        for (String m : KernelImages.MODULES) {
            Matcher mm = entry.matcher(new String(KernelImages.read(m + ".ptx", false), StandardCharsets.US_ASCII));
            while (mm.find()) {
                sig.put(mm.group(1), param.matcher(mm.group(2)).results()
                        .map(r -> r.group(1) + (r.group(2) == null ? "" : r.group(2))).toList());
            }
        }
        return sig;
    }

    /** The emulator library, compiled once per test JVM. */
    static synchronized Path library() throws IOException {
        if (built != null) return built;
        Path dir = scratch("loupe-emu");
        Path cuda = Path.of("src/main/cuda").toAbsolutePath(), shim = Path.of("src/test/cuda").toAbsolutePath();
        StringBuilder reg = new StringBuilder();
        reg.append("#include <utility>\n");
        for (String m : KernelImages.MODULES) reg.append("#include \"").append(cuda.resolve(m + ".cu")).append("\"\n");
        reg.append("""
                typedef void (*Invoker)(void** args);
                struct KernelEntry { const char* name; Invoker invoke; };
                template <typename... A, size_t... I>
                static void call(void (*f)(A...), void** a, std::index_sequence<I...>) { f(*static_cast<A*>(a[I])...); }
                template <typename... A> static constexpr size_t arity(void (*)(A...)) { return sizeof...(A); }
                template <auto F> static void invoke_all(void** a) { call(F, a, std::make_index_sequence<arity(F)>{}); }
                extern const KernelEntry emu_kernels[] = {
                """);
        List<String> names = entryNames();
        for (String n : names) reg.append("    {\"").append(n).append("\", invoke_all<").append(n).append(">},\n");
        reg.append("};\nextern const int emu_kernel_count = ").append(names.size()).append(";\n");
        Path src = dir.resolve("registry.cpp");
        Files.writeString(src, reg);
        Path lib = dir.resolve("libloupe_emu.so");
        // -ffp-contract=off: no fused multiply-add, like nvcc --fmad=false and like Java
        int rc = run(List.of("g++", "-std=c++17", "-O1", "-fPIC", "-shared", "-ffp-contract=off", "-U_FORTIFY_SOURCE",
                "-I" + cuda, "-I" + shim, "-include", shim.resolve("emu_shim.h").toString(),
                src.toString(), shim.resolve("emu_runtime.cpp").toString(), "-o", lib.toString()), dir);
        if (rc != 0) throw new IllegalStateException("g++ failed to build the kernel emulator; see " + dir.resolve("build.log"));
        built = lib;
        return lib;
    }

    /**
     * Builds the stand-in driver ({@code libcuda.so.1}, linked to the emulator) and a computing
     * stand-in cuBLAS; returns {driver, cublas}.
     */
    static synchronized Path[] fakeDriver() throws IOException {
        Path emu = library();
        Path dir = emu.getParent();
        Path shim = Path.of("src/test/cuda").toAbsolutePath();
        Path cuda = dir.resolve("libcuda.so.1"), cublas = dir.resolve("libfakecublas.so");
        if (!Files.exists(cuda)) {
            int rc = run(List.of("gcc", "-shared", "-fPIC", "-O1", "-Wl,-soname,libcuda.so.1", "-o", cuda.toString(),
                    shim.resolve("fake_cuda.c").toString(), "-L" + dir, "-lloupe_emu", "-Wl,-rpath," + dir), dir);
            if (rc != 0) throw new IllegalStateException("gcc failed to build the fake driver; see " + dir.resolve("build.log"));
            rc = run(List.of("gcc", "-shared", "-fPIC", "-O1", "-o", cublas.toString(), shim.resolve("fake_cublas.c").toString()), dir);
            if (rc != 0) throw new IllegalStateException("gcc failed to build the fake cuBLAS; see " + dir.resolve("build.log"));
        }
        return new Path[] {cuda, cublas};
    }

    private static int run(List<String> cmd, Path dir) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("build.log").toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
