#!/usr/bin/env python3
"""Independent PyTorch check of Loupe's pointing game for the gradient family on a patches run.

Rebuilds the run's CNN in torch from a checkpoint (via ig_peer.build), recomputes saliency |g|,
SmoothGrad E[g], VarGrad Var[g] (population variance of the signed gradient, as in Adebayo et al.
2018 and Captum's NoiseTunnel "vargrad"), the Captum-default variant Var[|g|] (NoiseTunnel around
Saliency(abs=True)) and E[g^2], with its own Gaussian noise (sigma = noise * (max - min) per
input), and scores each with Loupe's rule: the pixel with the largest sum over channels of
|attribution| must lie inside the ground-truth region. Prints these next to the hit rates of the
files Loupe wrote. Needs `loupe explain --run RUN --method saliency,vargrad ...` to have run.

Usage: /usr/bin/python3 bench/python/localization_peer.py RUN [--checkpoint step-N] [--noise 0.15] [--nt 25]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ig_peer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--checkpoint", help="default: the newest step-N")
    ap.add_argument("--noise", type=float, default=0.15)
    ap.add_argument("--nt", type=int, default=25)
    a = ap.parse_args()
    cps = sorted(os.listdir(os.path.join(a.run, "checkpoints")), key=lambda s: int(s.split("-")[1]))
    model = ig_peer.build(os.path.join(a.run, "checkpoints", a.checkpoint or cps[-1]))
    ex = os.path.join(a.run, "explain")
    x = torch.from_numpy(np.load(f"{ex}/saliency/inputs.npy").astype(np.float32)).permute(0, 3, 1, 2).contiguous()
    masks = np.load(f"{ex}/saliency/regions.npy").reshape(x.shape[0], -1)
    targets = torch.tensor(json.load(open(f"{ex}/saliency/meta.json"))["targets"])

    def grad(xs):
        xs = xs.clone().requires_grad_(True)
        model(xs).gather(1, targets.view(-1, 1)).sum().backward()
        return xs.grad

    def hits(attr):  # attr [N, C, H, W]
        s = attr.abs().sum(1).reshape(attr.shape[0], -1).numpy()
        return float((masks[np.arange(s.shape[0]), s.argmax(1)] > 0.5).mean())

    def loupe(method):
        f = f"{ex}/{method}/attributions.npy"
        return hits(torch.from_numpy(np.load(f)).permute(0, 3, 1, 2)) if os.path.exists(f) else float("nan")

    gen = torch.Generator().manual_seed(0)
    sigma = a.noise * (x.amax((1, 2, 3)) - x.amin((1, 2, 3)))
    gs = torch.stack([grad(x + sigma.view(-1, 1, 1, 1) * torch.randn(x.shape, generator=gen)) for _ in range(a.nt)])
    out = {
        "samples": int(x.shape[0]),
        "saliency": {"torch": hits(grad(x)), "loupe": loupe("saliency")},
        "smoothgrad": {"torch": hits(gs.mean(0)), "loupe": loupe("smoothgrad")},
        "vargrad": {"torch": hits(gs.var(0, unbiased=False)), "loupe": loupe("vargrad")},
        "vargrad_of_abs_gradient": {"torch": hits(gs.abs().var(0, unbiased=False))},
        "mean_squared_gradient": {"torch": hits((gs ** 2).mean(0))},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
