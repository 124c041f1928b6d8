package dev.loupe.cli;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.explain.Baselines;
import dev.loupe.engine.explain.ExplainMethod;
import dev.loupe.engine.explain.ExplainParams;
import dev.loupe.engine.explain.Explainer;
import dev.loupe.engine.explain.Explanation;
import dev.loupe.engine.explain.ExplanationWriter;
import dev.loupe.engine.explain.GradCam;
import dev.loupe.engine.explain.GradientRunner;
import dev.loupe.engine.explain.Localization;
import dev.loupe.engine.nn.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loupe explain}: attributions of a trained model's predictions, written under {@code RUN/explain/<method>/}. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Explain a trained model's predictions: which input pixels raised the target class's logit.",
                "Writes RUN/explain/<method>/attributions.npy, inputs.npy and meta.json (and regions.npy when the",
                "dataset has ground-truth regions). Methods:",
                "  saliency    |gradient| of the target logit",
                "  grad-input  gradient x input (signed)",
                "  ig          integrated gradients from --baseline (signed; meta.json has the convergence delta)",
                "  smoothgrad  mean gradient over noisy copies (signed)",
                "  vargrad     variance of the gradient over noisy copies",
                "  gradcam     Grad-CAM on a conv layer, upsampled bilinearly",
                "  gradcam++   Grad-CAM++ on a conv layer",
                "  occlusion   drop of the target logit when a window is zeroed (signed)"})
final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--checkpoint", description = "checkpoint name, e.g. step-1200 (default: the newest)")
    String checkpoint;

    @Option(names = "--method", defaultValue = "all", split = ",",
            description = "one or more of saliency, grad-input, ig, smoothgrad, vargrad, gradcam, gradcam++, occlusion, or all (default: ${DEFAULT-VALUE})")
    List<String> methods;

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--samples", description = "explain the first N test samples of the run's dataset (default: 8)")
        Integer samples;

        @Option(names = "--input", paramLabel = "FILE|DIR", description = "inputs to explain: an .npy array [N, H, W, C] or [N, D] "
                + "(float32), an image (png, jpg, gif, bmp; resized to the model's input, grey or RGB, scaled to [0, 1]) or a folder of images")
        Path input;
    }

    @Option(names = "--invert", description = "with image --input: use 1 − v, for dark-on-light pictures and a model trained on "
            + "light-on-dark images (Fashion-MNIST)")
    boolean invert;

    @Option(names = "--target", defaultValue = "predicted", description = "predicted, label or a class index (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--baseline", defaultValue = "zero", description = "IG baseline: zero, mean (training-set mean image) or blur (Gaussian, sigma 5 px) (default: ${DEFAULT-VALUE})")
    String baseline;

    @Mixin
    MethodOptions opts = new MethodOptions();

    /** Expands {@code all} and parses every name, rejecting unknown ones before any work. */
    static List<ExplainMethod> parseMethods(List<String> names) {
        List<ExplainMethod> out = new ArrayList<>();
        for (String s : names) {
            if (s.equals("all")) {
                for (ExplainMethod m : ExplainMethod.values()) if (!out.contains(m)) out.add(m);
            } else {
                ExplainMethod m = ExplainMethod.parse(s.trim());
                if (!out.contains(m)) out.add(m);
            }
        }
        if (out.isEmpty()) throw new BadInputException("--method names no method");
        return out;
    }

    static ExplainParams.IgRule parseRule(String s) {
        return switch (s) {
            case "gauss-legendre" -> ExplainParams.IgRule.GAUSS_LEGENDRE;
            case "trapezoid" -> ExplainParams.IgRule.TRAPEZOID;
            default -> throw new BadInputException("unknown --ig-rule '" + s + "' (choose gauss-legendre or trapezoid)");
        };
    }

    /** Rows one input costs {@code m}, for progress and internal-batch planning. */
    static long rowsPerSample(ExplainMethod m, ExplainParams p, int[] shape) {
        return switch (m) {
            case IG -> p.steps() + 2;
            case SMOOTHGRAD, VARGRAD -> p.ntSamples() + 1;
            case OCCLUSION -> shape.length == 3 ? (long) ((shape[0] - p.window()) / p.stride() + 1)
                    * ((shape[1] - p.window()) / p.stride() + 1) + 1 : 1;
            default -> 2;
        };
    }

    @Override
    public Integer call() {
        List<ExplainMethod> ms = parseMethods(methods);
        ExplainParams p = opts.params();
        if (!List.of("zero", "mean", "blur").contains(baseline)) {
            throw new BadInputException("unknown baseline '" + baseline + "' (choose zero, mean or blur)");
        }
        ExplainSetup s = ExplainSetup.load(run, checkpoint, source.samples, source.input, invert, baseline.equals("mean"));
        long maxRows = 0;
        for (ExplainMethod m : ms) maxRows = Math.max(maxRows, s.n * rowsPerSample(m, p, s.spec.inputShape()));
        try (Backend b = Backends.open(opts.backend)) {
            Network net = s.plannedNetwork(b, maxRows, opts.internalBatch);
            Explainer base = new Explainer(new GradientRunner(net, null));
            float[] logits = base.logits(s.x, s.n);
            int[] predicted = Explainer.argmax(logits, net.outputSize());
            int[] targets = s.targets(target, predicted, net.outputSize());
            float[] igBaseline = Baselines.of(baseline, s.x, s.n, s.spec.inputShape(), s.data == null ? null : s.data.trainInputs());
            System.out.printf("explaining %d inputs (%s) of %s with %s on %s, internal batch %d%n", s.n, s.sampleSource,
                    s.checkpoint.getFileName(), s.spec.name(), b.name(), net.batchSize());
            for (int i = 0; i < s.inputFiles.size(); i++) {
                System.out.printf("  input %d: %s, predicted %s%n", i, s.inputFiles.get(i), PredictCommand.className(s.classNames, predicted[i]));
            }
            Map<String, Object> prov = s.provenance(b, net);
            // a bad --layer ends the command before any method has started (and drawn a progress bar)
            if (ms.contains(ExplainMethod.GRADCAM) || ms.contains(ExplainMethod.GRADCAM_PP)) {
                if (p.layer() == null) GradCam.defaultLayer(net);
                else GradCam.checkLayer(net.layer(p.layer()));
            }
            for (ExplainMethod m : ms) {
                long total = s.n * rowsPerSample(m, p, s.spec.inputShape());
                long t0 = System.nanoTime();
                Explanation e;
                try (Progress bar = new Progress(m.cliName(), total)) {
                    Explainer ex = new Explainer(new GradientRunner(net, done -> bar.update(done, "")));
                    e = ex.explain(m, p, s.x, s.n, targets, m == ExplainMethod.IG ? igBaseline : null);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (m == ExplainMethod.IG) e.params().put("baseline", baseline);
                int[] shape = s.spec.inputShape();
                Localization.Result loc = s.regions == null || shape.length != 3 ? null
                        : Localization.score(e.values(), s.n, shape[0], shape[1], shape[2], s.regions);
                Map<String, Object> prov1 = new LinkedHashMap<>(prov);
                prov1.put("seconds", seconds);
                Path dir = ExplanationWriter.write(run.resolve("explain"), e,
                        new ExplanationWriter.Context(s.x, predicted, s.labels, s.classNames, s.regions, loc, prov1));
                StringBuilder line = new StringBuilder(String.format("%-11s %7.2fs  -> %s", m.cliName(), seconds, dir));
                if (e.delta() != null) {
                    line.append(String.format("  max|IG delta| %.2e", Arrays.stream(e.delta()).map(Math::abs).max().orElse(0)));
                }
                if (loc != null) {
                    line.append(String.format("  pointing game %.1f%%  mass inside %.1f%% (region %.1f%% of image)",
                            100 * loc.hitRate(), 100 * loc.meanMassInside(), 100 * loc.uniformShare()));
                }
                System.out.println(line);
            }
        }
        return 0;
    }
}
