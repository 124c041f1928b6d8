package dev.loupe.engine.optim;

import dev.loupe.datasets.BadInputException;

/** The closed set of optimizers; each record is the optimizer's hyper-parameters (the learning rate comes from a schedule). */
public sealed interface Optimizer {

    /** Name as on the command line. */
    String name();

    /** How many parameter-sized state vectors the optimizer keeps. */
    int stateVectors();

    /** SGD with optional (Nesterov) momentum and L2 weight decay, PyTorch semantics. */
    record Sgd(float momentum, boolean nesterov, float weightDecay) implements Optimizer {
        public Sgd {
            if (momentum < 0 || momentum >= 1) throw new BadInputException("momentum must be in [0, 1), got " + momentum);
            if (nesterov && momentum == 0) throw new BadInputException("nesterov needs a momentum > 0");
            if (weightDecay < 0) throw new BadInputException("weight decay must be ≥ 0, got " + weightDecay);
        }

        public String name() { return "sgd"; }

        public int stateVectors() { return momentum == 0 ? 0 : 1; }
    }

    /** Adam; with {@code decoupled} weight decay it is AdamW. */
    record Adam(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) implements Optimizer {
        public Adam {
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new BadInputException("Adam betas must be in [0, 1)");
            if (weightDecay < 0) throw new BadInputException("weight decay must be ≥ 0, got " + weightDecay);
        }

        public String name() { return decoupled ? "adamw" : "adam"; }

        public int stateVectors() { return 2; }
    }

    /** The optimizer for {@code sgd|adam|adamw} with the given settings. */
    static Optimizer of(String name, float momentum, boolean nesterov, float weightDecay) {
        return switch (name) {
            case "sgd" -> new Sgd(momentum, nesterov, weightDecay);
            case "adam" -> new Adam(0.9f, 0.999f, 1e-8f, weightDecay, false);
            case "adamw" -> new Adam(0.9f, 0.999f, 1e-8f, weightDecay == 0 ? 0.01f : weightDecay, true);
            default -> throw new BadInputException("unknown optimizer '" + name + "' (expected sgd, adam or adamw)");
        };
    }
}
