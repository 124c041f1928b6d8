package dev.loupe.viz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Nice axis ticks (1, 2 or 5 × 10^k apart) and short number labels for the plots. */
final class Ticks {
    private Ticks() {}

    /** About {@code target} ticks covering [lo, hi]. */
    static List<Double> nice(double lo, double hi, int target) {
        if (!(hi > lo) || !Double.isFinite(hi - lo)) return List.of(lo);
        return java.util.Arrays.stream(ticks(lo, hi, target)).boxed().toList();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * p >= raw) return m * p;
        return 10 * p;
    }

    /** About {@code count} nice values inside [lo, hi]. */
    static double[] ticks(double lo, double hi, int count) {
        double step = niceStep((hi - lo) / Math.max(1, count));
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.add(Math.abs(v) < 1e-12 * step ? 0 : v);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (v == 0) return "0";
        if (a >= 1e4 || a < 1e-3) return String.format(Locale.ROOT, "%.2g", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        String s = String.format(Locale.ROOT, a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
