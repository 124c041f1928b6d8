package dev.loupe.viz;

import java.util.ArrayList;
import java.util.List;

/** "Nice" axis tick values (1, 2 or 5 × 10^k apart) and their labels. */
final class Ticks {
    private Ticks() {}

    /** About {@code target} ticks covering [lo, hi]. */
    static List<Double> nice(double lo, double hi, int target) {
        double raw = (hi - lo) / Math.max(1, target);
        if (!(raw > 0) || !Double.isFinite(raw)) return List.of(lo);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        return out;
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (v == 0) return "0";
        if (a >= 1e5 || a < 1e-3) return String.format("%.1e", v);
        if (v == Math.rint(v)) return String.format("%d", (long) v);
        String s = String.format("%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
