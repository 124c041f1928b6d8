package dev.loupe.bench;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import java.util.ArrayList;
import java.util.List;

/**
 * Only the GEMMs of one training step ({@link Arch#stepGemms}), on a Loupe backend: how fast a
 * step could be if everything but the matrix products were free. Reported for context next to
 * the full step; it is a floor, not a contender that must be beaten.
 */
final class BackendGemmFloor implements Contender {
    private final Backend backend;
    private final int batch;
    private final List<Arch.Gemm> gemms;
    private final List<Buf[]> bufs = new ArrayList<>();

    /** Uses {@code backend} without owning it (the Loupe contender on it closes it). */
    BackendGemmFloor(Backend backend, Arch arch) {
        this.backend = backend;
        this.batch = arch.batch();
        this.gemms = arch.stepGemms();
        for (Arch.Gemm g : gemms) {
            Buf a = backend.alloc((long) g.m() * g.k()), b = backend.alloc((long) g.k() * g.n());
            Buf c = backend.alloc((long) g.m() * g.n());
            backend.fill(a.length(), 0.5f, a);
            backend.fill(b.length(), 0.25f, b);
            bufs.add(new Buf[] {a, b, c});
        }
    }

    @Override
    public String name() { return "gemm-floor/" + backend.name(); }

    @Override
    public Kind kind() { return Kind.FLOOR; }

    @Override
    public int batch() { return batch; }

    @Override
    public Window run(double seconds) {
        return Contender.loop(seconds, () -> {
            for (int i = 0; i < gemms.size(); i++) {
                Arch.Gemm g = gemms.get(i);
                Buf[] abc = bufs.get(i);
                backend.gemm(g.transA(), g.transB(), g.m(), g.n(), g.k(), 1f, abc[0], abc[1], 0f, abc[2]);
            }
        }, backend::synchronize);
    }

    @Override
    public String note() {
        long macs = gemms.stream().mapToLong(Arch.Gemm::macs).sum();
        return String.format("%d GEMMs, %.0f M multiply-adds per step", gemms.size(), macs / 1e6);
    }
}
