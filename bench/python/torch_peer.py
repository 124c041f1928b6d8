#!/usr/bin/python3
"""PyTorch peer for Loupe's training-throughput benchmark.

Trains the same MLP or CNN as dev.loupe.bench.TrainingWorkload on synthetic data of the same shape:
eager mode, fp32, plain SGD (no momentum, no weight decay), cross-entropy, a fixed batch size and
torch.set_num_threads(--threads). Each step mirrors Loupe's Trainer: zero grads, forward, loss,
backward, update, and read the loss back (loss.item()).

Two modes:
  standalone   warm up, run --windows timed windows of --seconds, print one JSON object
  --serve      a line protocol so the Java side can interleave windows with the other contenders:
               stdin "warmup S" / "window S" / "quit"; each command answers one JSON line
               {"steps": k, "seconds": t}; the first line printed is {"ready": true, ...}.
A window runs whole steps until at least S seconds have passed (at least one step).

With --params/--inputs/--labels (raw little-endian float32 files written by the Java side) the peer
starts from Loupe's initial weights and trains on Loupe's synthetic batches; its initial loss on
batch 0 ("initial_loss" in the first JSON line) must then equal Loupe's, which shows both compute
the same model. Without them it uses PyTorch's own initialization and random data of the same shape.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def build(model):
    """The benchmark's two architectures, NCHW (PyTorch's native layout)."""
    if model == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                            nn.Linear(256, 10))
        return net, (784,)
    if model == "cnn":
        # 28 -> conv3 -> 26 -> pool2 -> 13 -> conv3 -> 11 -> pool2 -> 5: 64*5*5 = 1600 features
        net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
        return net, (1, 28, 28)
    raise SystemExit("unknown model " + model)


def read_f32(path):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32)


def load_loupe_params(net, model, flat):
    """Copies Loupe's flat parameter vector (per layer W then b; dense W is [in, out], conv W is
    [kh, kw, c, f], images NHWC) into the PyTorch modules (Linear [out, in], Conv2d [f, c, kh, kw],
    Flatten in NCHW order)."""
    layers = [m for m in net if isinstance(m, (nn.Linear, nn.Conv2d))]
    off = 0
    for i, layer in enumerate(layers):
        if isinstance(layer, nn.Conv2d):
            f, c, kh, kw = layer.weight.shape
            w = flat[off:off + kh * kw * c * f].reshape(kh, kw, c, f).permute(3, 2, 0, 1)
        else:
            out_f, in_f = layer.weight.shape
            w = flat[off:off + in_f * out_f].reshape(in_f, out_f)
            if model == "cnn" and i == 2:  # first dense after the flatten: rows (h, w, c) -> (c, h, w)
                w = w.reshape(5, 5, 64, out_f).permute(2, 0, 1, 3).reshape(in_f, out_f)
            w = w.t()
        off += w.numel()
        n = layer.bias.numel()
        with torch.no_grad():
            layer.weight.copy_(w)
            layer.bias.copy_(flat[off:off + n])
        off += n
    if off != flat.numel():
        raise SystemExit("parameter file has %d floats, the %s needs %d" % (flat.numel(), model, off))


class Peer:
    def __init__(self, model, batch, lr, pool, seed, params=None, inputs=None, labels=None):
        torch.manual_seed(seed)
        self.net, shape = build(model)
        self.net.train()
        self.opt = torch.optim.SGD(self.net.parameters(), lr=lr)
        self.batch = batch
        if params:
            load_loupe_params(self.net, model, read_f32(params))
        if inputs and labels:
            # Loupe's batches: NHWC with one channel is the same memory as NCHW
            x, y = read_f32(inputs).reshape((-1, batch) + shape), read_f32(labels).reshape(-1, batch).long()
            self.xs, self.ys = list(x), list(y)
        else:
            # a small pool of batches, cycled, as the Java contenders do (inputs U[0,1), labels 0..9)
            self.xs = [torch.rand((batch,) + shape) for _ in range(pool)]
            self.ys = [torch.randint(0, 10, (batch,)) for _ in range(pool)]
        with torch.no_grad():
            self.initial_loss = F.cross_entropy(self.net(self.xs[0]), self.ys[0]).item()
        self.i = 0
        self.last_loss = float("nan")

    def step(self):
        x, y = self.xs[self.i % len(self.xs)], self.ys[self.i % len(self.ys)]
        self.i += 1
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.net(x), y)
        loss.backward()
        self.opt.step()
        self.last_loss = loss.item()  # the host read Loupe's trainer also does every step

    def window(self, seconds):
        steps = 0
        t0 = time.perf_counter()
        while True:
            self.step()
            steps += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds:
                return steps, elapsed


def loaded_blas():
    """The BLAS library this process actually mapped (Debian's torch says only 'generic' and resolves
    libblas.so.3 through update-alternatives: reference BLAS is ~5x slower than OpenBLAS)."""
    a = torch.ones(8, 8)
    a @ a  # make sure the BLAS is loaded
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]}
    except OSError:
        return "unknown"
    return ", ".join(sorted(lib.rsplit("/", 1)[-1] if "openblas" in lib else lib for lib in libs)) or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=["mlp", "cnn"], required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--pool", type=int, default=4, help="distinct synthetic batches, cycled")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds (standalone mode)")
    ap.add_argument("--windows", type=int, default=5, help="timed windows (standalone mode)")
    ap.add_argument("--seconds", type=float, default=3.0, help="seconds per window (standalone mode)")
    ap.add_argument("--serve", action="store_true", help="line protocol on stdin/stdout (see module doc)")
    ap.add_argument("--params", help="Loupe's initial parameters, raw float32 little-endian")
    ap.add_argument("--inputs", help="Loupe's input batches, raw float32 [pool, batch, 784]")
    ap.add_argument("--labels", help="Loupe's labels, raw float32 [pool, batch]")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    peer = Peer(args.model, args.batch, args.lr, args.pool, args.seed, args.params, args.inputs, args.labels)
    info = {"peer": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
            "model": args.model, "batch": args.batch, "python": sys.version.split()[0],
            "initial_loss": peer.initial_loss, "loupe_weights": bool(args.params)}
    info["blas"] = loaded_blas()

    if args.serve:
        print(json.dumps(dict(info, ready=True)), flush=True)
        for line in sys.stdin:
            parts = line.split()
            if not parts or parts[0] == "quit":
                break
            if parts[0] in ("warmup", "window") and len(parts) == 2:
                steps, secs = peer.window(float(parts[1]))
                print(json.dumps({"steps": steps, "seconds": secs, "loss": peer.last_loss}), flush=True)
            else:
                print(json.dumps({"error": "unknown command " + line.strip()}), flush=True)
        return

    peer.window(args.warmup)
    rates = []
    for _ in range(args.windows):
        steps, secs = peer.window(args.seconds)
        rates.append(steps * args.batch / secs)
    print(json.dumps(dict(info, samples_per_s=rates, median=statistics.median(rates), min=min(rates), max=max(rates),
                          last_loss=peer.last_loss)))


if __name__ == "__main__":
    main()
