package dev.loupe.viz;

/** The report {@code loupe render} writes: every renderer Loupe has, in reading order. */
public final class Reports {
    private Reports() {}

    public static Report standard() {
        return new Report()
                .add("Training", RecordingCharts::render)
                .add("Explanations", ExplainFigures::render)
                .add("Loss landscape", LandscapeFigures::render);
    }
}
