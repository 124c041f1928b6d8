package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch peer: {@code bench/python/torch_peer.py --serve} in a {@code /usr/bin/python3}
 * subprocess, driven window by window over stdin/stdout so its windows interleave with the JVM
 * contenders'. Only steps inside the Python process are timed (by Python), so process start-up
 * and the pipe round trip are not counted against PyTorch. The peer starts from Loupe's initial
 * weights and trains on the same batches (handed over as raw float32 files), so its initial loss
 * must equal Loupe's.
 */
final class TorchContender implements Contender {
    /** The interpreter with Debian's python3-torch; override with {@code LOUPE_BENCH_PYTHON}. */
    static final String PYTHON = System.getenv().getOrDefault("LOUPE_BENCH_PYTHON", "/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final Path stderr;
    private final Path script;
    private final List<Path> handover = new ArrayList<>();
    private final int batch;
    private final JsonNode ready;

    /** Starts the peer on {@code data} from {@code initialParams} (Loupe's flat layout). */
    TorchContender(Arch arch, int threads, SyntheticBatches data, float[] initialParams) throws IOException {
        this.batch = arch.batch();
        this.script = extractScript("torch_peer.py");
        this.stderr = Files.createTempFile("loupe-torch-peer", ".log");
        float[] xs = new float[SyntheticBatches.POOL * batch * data.inputSize()], ys = new float[SyntheticBatches.POOL * batch];
        for (int p = 0; p < SyntheticBatches.POOL; p++) {
            System.arraycopy(data.inputs(p), 0, xs, p * batch * data.inputSize(), batch * data.inputSize());
            System.arraycopy(data.labels(p), 0, ys, p * batch, batch);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), "--serve", "--model", arch.id(),
                "--batch", Integer.toString(batch), "--threads", Integer.toString(threads), "--lr", Float.toString(Arch.LR),
                "--params", handover(initialParams).toString(), "--inputs", handover(xs).toString(),
                "--labels", handover(ys).toString()));
        process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        ready = readLine();
        if (!ready.path("ready").asBoolean()) throw failure("did not start: " + ready);
    }

    /**
     * Why PyTorch cannot be measured here, or empty when {@code import torch} works with
     * {@link #PYTHON} (Debian: {@code apt-get install python3-torch libopenblas0-pthread}).
     */
    static Optional<String> unavailableReason() {
        if (!Files.isExecutable(Path.of(PYTHON))) return Optional.of(PYTHON + " not found");
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] msg = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("'import torch' did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                String text = new String(msg, StandardCharsets.UTF_8).strip();
                String last = text.isEmpty() ? "exit " + p.exitValue() : text.lines().reduce((a, b) -> b).orElse("");
                return Optional.of(PYTHON + " cannot import torch (" + last + ")");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run " + PYTHON + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** A temp file of raw little-endian float32, deleted on {@link #close}. */
    private Path handover(float[] values) throws IOException {
        Path f = Files.createTempFile("loupe-torch-peer", ".f32");
        handover.add(f);
        ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        Files.write(f, buf.array());
        return f;
    }

    /** Copies the peer script {@code name} (from bench/python, packed into the jar) to a temp file the caller deletes. */
    static Path extractScript(String name) throws IOException {
        Path tmp = Files.createTempFile(name.replace(".py", ""), ".py");
        try (InputStream s = TorchContender.class.getResourceAsStream("python/" + name)) {
            if (s == null) throw new IllegalStateException(name + " is missing from the bench jar");
            Files.copy(s, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        return tmp;
    }

    /** PyTorch's version as the peer reported it. */
    String version() { return ready.path("torch").asText("unknown"); }

    /** PyTorch's mean loss on batch 0 before training, from Loupe's weights. */
    double initialLoss() { return ready.path("initial_loss").asDouble(Double.NaN); }

    /** The BLAS libraries the Python process mapped. */
    String blas() { return ready.path("blas").asText("unknown"); }

    @Override
    public String name() { return "torch"; }

    @Override
    public Kind kind() { return Kind.PEER; }

    @Override
    public int batch() { return batch; }

    @Override
    public Window run(double seconds) {
        in.println("window " + seconds);
        JsonNode r = readLine();
        if (!r.has("steps")) throw failure("unexpected answer " + r);
        return new Window(r.get("steps").asLong(), (long) (r.get("seconds").asDouble() * 1e9));
    }

    private JsonNode readLine() {
        try {
            String line = out.readLine();
            if (line == null) throw failure("exited early");
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private IllegalStateException failure(String what) {
        String log = "";
        try {
            log = Files.readString(stderr).strip();
        } catch (IOException ignored) {
            // the log is only decoration for the message
        }
        return new IllegalStateException("torch peer " + what + (log.isEmpty() ? "" : "; its stderr: " + log));
    }

    @Override
    public String note() {
        return String.format("torch %s eager, %d threads, BLAS %s; initial loss %.5f", version(), ready.path("threads").asInt(),
                blas(), initialLoss());
    }

    @Override
    public void close() {
        in.println("quit");
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(stderr);
            Files.deleteIfExists(script);
            for (Path f : handover) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // temp files; the OS cleans them eventually
        }
    }
}
