package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The attribution methods Loupe computes, with the names used on the command line. */
public enum ExplainMethod {
    /** |∂ logit_t / ∂ x|: the gradient's magnitude (Captum's Saliency with abs=True). */
    SALIENCY("saliency", false),
    /** x · ∂ logit_t / ∂ x, signed. */
    GRAD_INPUT("grad-input", true),
    /** Integrated gradients from a baseline, signed; sums to f(x) − f(baseline) up to the reported delta. */
    IG("ig", true),
    /** Mean gradient over Gaussian-noised copies of x, signed. */
    SMOOTHGRAD("smoothgrad", true),
    /** Variance of the gradient over Gaussian-noised copies of x, a magnitude. */
    VARGRAD("vargrad", false),
    /** ReLU(Σ_k mean(∂y/∂A_k) · A_k) on a convolutional layer, upsampled bilinearly; a magnitude. */
    GRADCAM("gradcam", false),
    /** Grad-CAM++ (Chattopadhyay et al. 2018) pixel-weighted gradients; a magnitude. */
    GRADCAM_PP("gradcam++", false),
    /** Drop in the target logit when a window is set to 0, averaged over covering windows; signed. */
    OCCLUSION("occlusion", true);

    private final String cliName;
    private final boolean signed;

    ExplainMethod(String cliName, boolean signed) {
        this.cliName = cliName;
        this.signed = signed;
    }

    /** The name used with {@code --method} and as the output folder name. */
    public String cliName() {
        return cliName;
    }

    /** True when attributions can be negative (drawn with a diverging colormap). */
    public boolean signed() {
        return signed;
    }

    /** True for methods that need a gradient w.r.t. the input (the sanity-check family). */
    public boolean gradientBased() {
        return this != OCCLUSION;
    }

    /** Parses a method name; {@link BadInputException} lists the valid names. */
    public static ExplainMethod parse(String name) {
        for (ExplainMethod m : values()) if (m.cliName.equals(name)) return m;
        throw new BadInputException("unknown explanation method '" + name + "' (choose "
                + Arrays.stream(values()).map(ExplainMethod::cliName).collect(Collectors.joining(", ")) + " or all)");
    }
}
