#!/usr/bin/python3
"""PyTorch peer of the RnnNotebooks speed benchmark (issue 3, "Speed").

The IMDB-shaped problem: random token sequences (vocabulary 10,000, 500 timesteps), one
Embedding(10000, 32) -> SimpleRNN/LSTM/GRU(32) (last output) -> Dense(1, sigmoid) model per
recurrent kind, binary cross-entropy, RMSprop(lr=1e-3, rho=0.9, eps=1e-7), batch 128, one
shuffled epoch, two threads. Prints one JSON line per model:
  {"model": ..., "mode": "train", "seconds": ..., "cpu_seconds": ..., "samples": ..., "timesteps": ...,
   "loss": ..., "peak_rss_mb": ..., "peak_reset": ..., "blas": ...}
seconds is wall-clock; cpu_seconds is the CPU time of all threads (less sensitive to other load);
peak_rss_mb is the process' peak resident set (data included) during that model's run when
peak_reset is true (Linux: /proc/self/clear_refs resets it before each model), else the peak so far;
blas is the BLAS library actually loaded (Debian's torch links libblas.so.3, the slow reference one
unless redirected).

--mode predict instead times inference: the same (untrained) model in eval mode, its forward under
torch.no_grad() over --samples sequences in batches of --batch, after one warm-up batch; it adds
"sequences_per_second" and "batch" to the line.

Run with Debian's interpreter (apt-get install python3-torch): /usr/bin/python3 torch_peer.py
"""

import argparse
import ctypes
import json
import os
import resource
import sys
import time

import torch
from torch import nn

VOCABULARY = 10_000
EMBEDDING = 32
UNITS = 32
BATCH = 128


class Classifier(nn.Module):
    """Embedding -> recurrent layer (batch_first, last timestep's output) -> Linear(1) -> sigmoid."""

    def __init__(self, kind: str):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, EMBEDDING)
        recurrent = {"simplernn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.recurrent = recurrent(EMBEDDING, UNITS, batch_first=True)
        self.dense = nn.Linear(UNITS, 1)

    def forward(self, tokens):
        outputs, _ = self.recurrent(self.embedding(tokens))
        return torch.sigmoid(self.dense(outputs[:, -1, :]))


def one_epoch(kind: str, x: torch.Tensor, y: torch.Tensor, seed: int) -> dict:
    peak_reset = reset_peak_rss()
    torch.manual_seed(seed)
    model = Classifier(kind)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = nn.BCELoss()
    samples = x.shape[0]
    start = time.perf_counter()
    cpu_start = time.process_time()
    order = torch.randperm(samples)
    total_loss = 0.0
    for first in range(0, samples, BATCH):
        batch = order[first : first + BATCH]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(batch)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {
        "model": kind,
        "mode": "train",
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "samples": samples,
        "timesteps": x.shape[1],
        "loss": round(total_loss / samples, 6),
        "peak_rss_mb": peak_rss_mb(),
        "peak_reset": peak_reset,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": loaded_blas(),
    }


def predict(kind: str, x: torch.Tensor, seed: int, batch_size: int) -> dict:
    """Inference throughput: model.eval(), forward under torch.no_grad(), outputs gathered in one tensor."""
    peak_reset = reset_peak_rss()
    torch.manual_seed(seed)
    model = Classifier(kind).eval()
    samples = x.shape[0]
    with torch.no_grad():
        model(x[:batch_size])  # warm-up, as the C# side does
        start = time.perf_counter()
        cpu_start = time.process_time()
        outputs = torch.empty(samples, 1)
        for first in range(0, samples, batch_size):
            outputs[first : first + batch_size] = model(x[first : first + batch_size])
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
    return {
        "model": kind,
        "mode": "predict",
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "samples": samples,
        "timesteps": x.shape[1],
        "batch": batch_size,
        "sequences_per_second": round(samples / seconds, 1),
        "mean_output": round(float(outputs.mean()), 6),
        "peak_rss_mb": peak_rss_mb(),
        "peak_reset": peak_reset,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": loaded_blas(),
    }


def reset_peak_rss() -> bool:
    """Linux: writing 5 to /proc/self/clear_refs resets the peak resident set (VmHWM) to the current one."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """VmHWM (since the last reset) where /proc exists, else ru_maxrss (the peak of the whole run)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def loaded_blas() -> str:
    """The BLAS shared object this process mapped (the slow netlib one, or OpenBLAS if redirected),
    and for OpenBLAS the kernels it chose (an OpenBLAS older than the CPU falls back to Prescott)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    except OSError:
        return "unknown"
    names = ", ".join(sorted(os.path.realpath(p) for p in paths)) or "unknown"
    for path in sorted(paths):
        try:
            corename = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        return f"{names} (OpenBLAS core {corename().decode()})"
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="simplernn,lstm,gru", help="comma-separated: simplernn,lstm,gru")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--timesteps", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("train", "predict"), default="train")
    parser.add_argument("--batch", type=int, default=BATCH, help="batch size of --mode predict")
    args = parser.parse_args()

    kinds = [m.strip().lower() for m in args.models.split(",") if m.strip()]
    unknown = [k for k in kinds if k not in ("simplernn", "lstm", "gru")]
    if unknown or not kinds:
        print(f"torch_peer: unknown model(s) {unknown or args.models!r}; use simplernn, lstm, gru", file=sys.stderr)
        return 2
    if args.samples <= 0 or args.timesteps <= 0 or args.threads <= 0 or args.batch <= 0:
        print("torch_peer: --samples, --timesteps, --threads and --batch must be positive", file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    x = torch.randint(1, VOCABULARY, (args.samples, args.timesteps), generator=generator)
    y = torch.randint(0, 2, (args.samples, 1), generator=generator).float()
    for kind in kinds:
        if args.mode == "predict":
            print(json.dumps(predict(kind, x, args.seed, args.batch)), flush=True)
        else:
            print(json.dumps(one_epoch(kind, x, y, args.seed)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
