package dev.loupe.bench;

import dev.loupe.engine.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput of one {@link Arch}: Loupe on every requested backend, DL4J and PyTorch on the
 * same shapes, synthetic data, batch, fp32 SGD and thread count, plus the GEMM floor, measured in
 * one interleaved run; then Loupe ÷ peer ratios against the targets.
 */
public final class TrainingWorkload implements Workload {
    private static final long SEED = 42;
    private final Arch arch;

    public TrainingWorkload(Arch arch) {
        this.arch = arch;
    }

    @Override
    public String name() { return "train-" + arch.id(); }

    @Override
    public List<Row> run(BenchContext ctx) throws Exception {
        useThreads(ctx.threads());
        SyntheticBatches data = new SyntheticBatches(arch.batch(), arch.inputSize(), Arch.CLASSES, SEED);
        List<Measure.Entry> entries = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        if (ctx.backends().isEmpty()) throw new IllegalArgumentException("no Loupe backend to measure");
        try {
            LoupeContender first = null;
            for (String b : ctx.backends()) {
                ctx.progress().update(0, name() + ": building the model on " + b);
                var backend = Backends.open(b);
                LoupeContender c;
                try {
                    c = new LoupeContender(backend, arch, data, SEED);
                } catch (RuntimeException e) {
                    backend.close();
                    throw e;
                }
                if (first == null) first = c;
                boolean shortRun = BenchContext.shortRunOnly(b);
                entries.add(new Measure.Entry(c, shortRun));
            }
            if (ctx.peers().contains(Peer.DL4J)) {
                ctx.progress().update(0, name() + ": building the DL4J network");
                Dl4jContender dl4j = new Dl4jContender(arch, data, first.network());
                entries.add(new Measure.Entry(dl4j, false));
                rows.add(lossCheck(first, "dl4j", dl4j.initialLoss()));
            }
            if (ctx.peers().contains(Peer.TORCH)) {
                Optional<String> why = TorchContender.unavailableReason();
                if (why.isPresent()) {
                    rows.add(new Row.Rate(name(), "torch", Contender.Kind.PEER, "samples/s", arch.batch(), List.of(), "skipped: " + why.get()));
                } else {
                    ctx.progress().update(0, name() + ": starting the PyTorch peer");
                    TorchContender torch = new TorchContender(arch, ctx.threads(), data, first.network().getParams());
                    entries.add(new Measure.Entry(torch, false)); // registered first: closed even if what follows fails
                    rows.add(lossCheck(first, "torch", torch.initialLoss()));
                    ctx.versions().put("torch", torch.version());
                    ctx.versions().put("torch BLAS", torch.blas());
                }
            }
            // floors: the step's GEMMs on each fast backend and straight on ND4J
            for (Measure.Entry e : List.copyOf(entries)) {
                if (e.contender() instanceof LoupeContender lc && !e.shortRun()) {
                    entries.add(new Measure.Entry(new BackendGemmFloor(lc.network().backend(), arch), false));
                }
            }
            entries.add(new Measure.Entry(new Nd4jGemmFloor(arch), false));

            List<Row.Rate> rates = Measure.interleaved(name(), entries, ctx.suite(), ctx.progress());
            List<Row> out = new ArrayList<>(rates);
            out.addAll(ratios(rates));
            out.addAll(rows);
            return out;
        } finally {
            // floors borrow their backend: close them before the Loupe contenders that own it
            for (Measure.Entry e : entries.reversed()) e.contender().close();
        }
    }

    /** ND4J (used by DL4J, the nd4j backend and the floor) gets the same thread count as PyTorch. */
    private static void useThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Loupe ÷ peer for every fully measured backend and peer, with the targets; short runs are informational. */
    private List<Row> ratios(List<Row.Rate> rates) {
        List<Row> out = new ArrayList<>();
        for (Row.Rate l : rates) {
            if (l.kind() != Contender.Kind.LOUPE) continue;
            boolean shortRun = BenchContext.shortRunOnly(l.contender().substring("loupe/".length()));
            for (Row.Rate p : rates) {
                if (p.kind() == Contender.Kind.LOUPE || p.perWindow().isEmpty()) continue;
                double required = Double.NaN;
                if (p.kind() == Contender.Kind.PEER && !shortRun) required = arch.bar(Peer.of(p.contender()));
                out.add(Row.Ratio.speedup(name(), l, p, required));
            }
        }
        return out;
    }

    /** Both start from the same weights, so the same initial loss says they compute the same model. */
    private Row lossCheck(LoupeContender loupe, String peer, double peerLoss) {
        double a = loupe.initialLoss();
        boolean same = Math.abs(a - peerLoss) <= 1e-3 * Math.max(1, Math.abs(a));
        return new Row.Check(name(), "initial loss " + loupe.name() + " vs " + peer + " (same weights and batch)",
                String.format("%.5f vs %.5f", a, peerLoss), same);
    }
}
