package dev.loupe.cli;

import java.io.PrintStream;

/**
 * A progress bar on stderr: redrawn in place on a terminal (at most 10 times a second), a plain
 * line every 10% otherwise, so logs of non-interactive runs stay readable.
 */
final class Progress implements AutoCloseable {
    private final PrintStream out = System.err;
    private final boolean tty = System.console() != null && System.console().isTerminal();
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;
    private String lastLine = "";

    Progress(String label, long total) {
        this.label = label;
        this.total = Math.max(1, total);
    }

    void update(long done, String suffix) {
        long now = System.nanoTime();
        double frac = Math.min(1.0, (double) done / total);
        if (tty) {
            if (now - lastDraw < 100_000_000L && done < total) return;
            lastDraw = now;
            int width = 30, filled = (int) Math.round(frac * width);
            lastLine = String.format("\r%s [%s%s] %3.0f%% %s %s", label, "=".repeat(filled), " ".repeat(width - filled),
                    frac * 100, eta(now, frac), suffix);
            out.print(lastLine);
            out.flush();
        } else {
            int decile = (int) (frac * 10);
            if (decile == lastDecile) return;
            lastDecile = decile;
            out.printf("%s %3d%% %s%n", label, decile * 10, suffix);
        }
    }

    private String eta(long now, double frac) {
        if (frac <= 0) return "";
        double elapsed = (now - start) / 1e9;
        double left = elapsed / frac - elapsed;
        return String.format("%ds<%ds", Math.round(elapsed), Math.round(left));
    }

    @Override
    public void close() {
        if (tty && !lastLine.isEmpty()) {
            out.print("\r" + " ".repeat(lastLine.length()) + "\r");
            out.flush();
        }
    }
}
