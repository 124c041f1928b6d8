"""PyTorch peer for Loupe's GPU benchmark (dev.loupe.gpu.GpuBench): the same model, batch size and
precision setting as Loupe's cuda backend, eager mode on the same GPU.

  python3 torch_gpu_peer.py --model mlp|cnn|mlp4096 --batch N [--warmup S --windows K --seconds S] [--resident]

Each step mirrors Loupe's trainer: copy the batch to the GPU (from pinned host memory, as Loupe
uploads each batch), zero grads, forward, cross-entropy, backward, plain SGD (lr 0.01), and read the
loss back with loss.item() (a sync point, as Loupe's non-finite guard is). FP32: TF32 is switched
off for matmul and cuDNN unless --tf32. Prints one JSON object: samples/s per timed window.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
from torch import nn


def build(model):
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                             nn.Linear(256, 10)), (784,)
    if model == "mlp4096":
        return nn.Sequential(nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
                             nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 10)), (4096,)
    if model == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(),
                             nn.Linear(128, 10)), (1, 28, 28)
    raise SystemExit("unknown model " + model)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--tf32", action="store_true")
    ap.add_argument("--resident", action="store_true",
                    help="keep the four batches on the GPU and copy one into the input each step")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(42)
    dev = torch.device("cuda")
    net, shape = build(a.model)
    net = net.to(dev).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    xs = [torch.rand((a.batch,) + shape).pin_memory() for _ in range(4)]
    ys = [torch.randint(0, 10, (a.batch,)).pin_memory() for _ in range(4)]
    if a.resident:
        xs = [x.to(dev) for x in xs]
        ys = [y.to(dev) for y in ys]
        x_in = torch.empty_like(xs[0])
        y_in = torch.empty_like(ys[0])
    state = {"i": 0}

    def step():
        i = state["i"] % 4
        state["i"] += 1
        if a.resident:
            x = x_in.copy_(xs[i])
            y = y_in.copy_(ys[i])
        else:
            x = xs[i].to(dev, non_blocking=True)
            y = ys[i].to(dev, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def window(seconds):
        steps, t0 = 0, time.perf_counter()
        while True:
            step()
            steps += 1
            dt = time.perf_counter() - t0
            if dt >= seconds:
                torch.cuda.synchronize()
                return steps * a.batch / (time.perf_counter() - t0)

    window(a.warmup)
    rates = [window(a.seconds) for _ in range(a.windows)]
    print(json.dumps({"peer": "torch", "model": a.model, "batch": a.batch, "samples_per_s": rates,
                      "torch": torch.__version__, "cuda": torch.version.cuda,
                      "device": torch.cuda.get_device_name(0), "tf32": a.tf32, "resident": a.resident}))


if __name__ == "__main__":
    main()
