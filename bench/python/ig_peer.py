#!/usr/bin/env python3
"""Batched integrated gradients in PyTorch on weights exported by Loupe's IgWorkload (the peer).

Reads DIR/model.json, DIR/params/<layer>.<W|b>.npy (Loupe layouts: conv W [kh, kw, c, f], dense
W [in, units]), DIR/inputs.npy (NHWC), DIR/targets.npy and DIR/logits.npy (Loupe's logits of the
inputs). Rebuilds the Sequential model in torch (NCHW, with the flatten taken in NHWC order so
dense weights line up), checks its logits against Loupe's, then times IG with the same
Gauss-Legendre nodes, steps and internal batch (rows of (image, step) per forward+backward).
Prints one JSON line. Exit 3 (and a message) when torch cannot be imported.

--serve: a line protocol so the Java side can interleave its IG calls with the peer's on a shared
machine. After the logit check and one warm-up call the peer prints {"ready": true, ...}; then each
stdin line "run" times one whole IG call and answers {"seconds": t}, and "quit" (or end of input)
answers the final JSON line (without timing fields) and exits.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

try:
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
    print(json.dumps({"skipped": f"torch not importable: {e}"}))
    sys.exit(3)


class NhwcFlatten(torch.nn.Module):
    """Flattens NCHW activations in NHWC order, as Loupe's channels-last flatten does."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1) if x.dim() == 4 else x


def build(d):
    spec = json.load(open(os.path.join(d, "model.json")))
    h, w, c = spec["input"]
    layers, counters, shape = [], {}, (c, h, w)

    def name(kind):
        counters[kind] = counters.get(kind, 0) + 1
        return f"{kind}{counters[kind]}"

    def load(layer, p):
        return torch.from_numpy(np.load(os.path.join(d, "params", f"{layer}.{p}.npy")).astype(np.float32))

    for l in spec["layers"]:
        t = l["type"]
        if t == "conv2d":
            n = name("conv2d")
            m = torch.nn.Conv2d(shape[0], l["filters"], l["kernel"], stride=l.get("stride", 1), padding=l.get("padding", 0))
            m.weight.data = load(n, "W").permute(3, 2, 0, 1).contiguous()
            m.bias.data = load(n, "b")
            layers.append(m)
            oh = (shape[1] + 2 * l.get("padding", 0) - l["kernel"]) // l.get("stride", 1) + 1
            ow = (shape[2] + 2 * l.get("padding", 0) - l["kernel"]) // l.get("stride", 1) + 1
            shape = (l["filters"], oh, ow)
        elif t == "maxpool2d":
            name("maxpool")
            layers.append(torch.nn.MaxPool2d(l["size"], l.get("stride", l["size"])))
            s = l.get("stride", l["size"])
            shape = (shape[0], (shape[1] - l["size"]) // s + 1, (shape[2] - l["size"]) // s + 1)
        elif t == "relu":
            name("relu")
            layers.append(torch.nn.ReLU())
        elif t == "flatten":
            name("flatten")
            layers.append(NhwcFlatten())
            shape = (shape[0] * shape[1] * shape[2],)
        elif t == "dense":
            n = name("dense")
            inp = shape[0] if len(shape) == 1 else shape[0] * shape[1] * shape[2]
            if len(shape) == 3:
                layers.append(NhwcFlatten())
            m = torch.nn.Linear(inp, l["units"])
            m.weight.data = load(n, "W").t().contiguous()
            m.bias.data = load(n, "b")
            layers.append(m)
            shape = (l["units"],)
        else:
            raise SystemExit(f"ig_peer.py: layer type {t} is not supported by the peer")
    return torch.nn.Sequential(*layers).eval()


def loaded_blas():
    """The BLAS library this process mapped (as torch_peer.py reports it)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]}
    except OSError:
        return "unknown"
    return ", ".join(sorted(lib.rsplit("/", 1)[-1] for lib in libs)) or "unknown"


def integrated_gradients(model, x, targets, steps, batch):
    """x: [N, C, H, W]; zero baseline; Gauss-Legendre nodes on [0, 1]; rows (image, step) in internal batches."""
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32)
    wts = torch.tensor(weights / 2, dtype=torch.float32)
    n = x.shape[0]
    rows = n * steps
    acc = torch.zeros_like(x)
    for start in range(0, rows, batch):
        r = torch.arange(start, min(rows, start + batch))
        i, j = r // steps, r % steps
        xs = (alphas[j].view(-1, 1, 1, 1) * x[i]).requires_grad_(True)
        out = model(xs)
        sel = out.gather(1, targets[i].view(-1, 1)).sum()
        (g,) = torch.autograd.grad(sel, xs)
        acc.index_add_(0, i, g * wts[j].view(-1, 1, 1, 1))
    return x * acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    ap.add_argument("--serve", action="store_true", help="line protocol on stdin/stdout (see module doc)")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    model = build(a.dir)
    x = torch.from_numpy(np.load(os.path.join(a.dir, "inputs.npy")).astype(np.float32)).permute(0, 3, 1, 2).contiguous()
    targets = torch.from_numpy(np.load(os.path.join(a.dir, "targets.npy")).astype(np.int64))
    loupe_logits = np.load(os.path.join(a.dir, "logits.npy"))
    with torch.no_grad():
        logits = model(x).numpy()
    logit_diff = float(np.abs(logits - loupe_logits).max())
    if logit_diff > 1e-3 * max(1.0, float(np.abs(loupe_logits).max())):
        print(json.dumps({"error": f"torch logits differ from Loupe's by {logit_diff}"}))
        sys.exit(1)
    attr = integrated_gradients(model, x, targets, a.steps, a.batch)  # warm-up, also the result we compare
    loupe_attr = np.load(os.path.join(a.dir, "loupe_attributions.npy"))
    ours = attr.permute(0, 2, 3, 1).numpy()
    info = {
        "torch": torch.__version__, "blas": loaded_blas(), "threads": torch.get_num_threads(), "images": int(x.shape[0]),
        "steps": a.steps, "batch": a.batch, "max_logit_diff": logit_diff,
        "max_attr_diff": float(np.abs(ours - loupe_attr).max()), "max_attr": float(np.abs(loupe_attr).max()),
    }
    if a.serve:
        print(json.dumps(dict(info, ready=True)), flush=True)
        for line in sys.stdin:
            if line.strip() == "quit":
                break
            if line.strip() != "run":
                print(json.dumps({"error": "unknown command " + line.strip()}), flush=True)
                continue
            t0 = time.perf_counter()
            integrated_gradients(model, x, targets, a.steps, a.batch)
            print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)
        print(json.dumps(info), flush=True)
        return
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        integrated_gradients(model, x, targets, a.steps, a.batch)
        times.append(time.perf_counter() - t0)
    print(json.dumps(dict(info, best_seconds=min(times), median_seconds=sorted(times)[len(times) // 2],
                          attributions_per_second=x.shape[0] / min(times), times=times)))


if __name__ == "__main__":
    main()
