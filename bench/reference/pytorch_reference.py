#!/usr/bin/python3
"""PyTorch eager reference for FedDistill's benchmark.

Measures the throughput (samples/s) of the same four cases that bench/FedDistill.Bench runs
through TorchSharp (which brings its own libtorch 2.10 with oneMKL and oneDNN), here on Debian's
python3-torch 1.13 and whatever BLAS Debian resolves libblas.so.3 to (reported as "blas" in the
JSON: OpenBLAS when libopenblas0 is installed, else the much slower netlib reference BLAS):

  kd_train_mlp, kd_train_cnn   one knowledge-distillation training step on a fixed batch of 256
  infer_mlp, infer_cnn         one forward pass in eval mode under no_grad on a batch of 1024

Run: /usr/bin/python3 bench/reference/pytorch_reference.py [--threads N] [--seconds S] [--json]
(./run bench runs it with OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to N too.)
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

# ---- the models: bench/FedDistill.Bench mirrors these exactly ---------------------------------
# Default PyTorch initialisation (kaiming-uniform weights, uniform biases); float32.
INPUT_SHAPE = (1, 28, 28)  # one Fashion-MNIST image: channels, height, width
CLASSES = 10


def make_mlp() -> nn.Module:
    """MLP on images flattened to [B, 784]."""
    return nn.Sequential(
        nn.Linear(784, 256),  # 784 = 28 * 28
        nn.ReLU(),
        nn.Linear(256, 128),
        nn.ReLU(),
        nn.Linear(128, CLASSES),
    )


def make_cnn() -> nn.Module:
    """Small CNN on images [B, 1, 28, 28]."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),  # -> [B, 16, 28, 28]
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> [B, 16, 14, 14]
        nn.Conv2d(16, 32, kernel_size=3, padding=1),  # -> [B, 32, 14, 14]
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> [B, 32, 7, 7]
        nn.Flatten(),  # -> [B, 1568]
        nn.Linear(32 * 7 * 7, 128),
        nn.ReLU(),
        nn.Linear(128, CLASSES),
    )


MODELS = {"mlp": make_mlp, "cnn": make_cnn}

# ---- the workload -----------------------------------------------------------------------------
TRAIN_BATCH = 256
INFER_BATCH = 1024
TEMPERATURE = 4.0  # T: softens teacher and student distributions
ALPHA = 0.9  # weight of the distillation term; 1 - ALPHA weighs the hard-label cross-entropy
LEARNING_RATE = 1e-3  # Adam, other settings at PyTorch's defaults
WARMUP_ITERATIONS = 10


def input_batch(model_name: str, batch: int) -> torch.Tensor:
    """Uniform [0, 1) pixels, shaped as the model takes them."""
    images = torch.rand(batch, *INPUT_SHAPE)
    return images.reshape(batch, -1) if model_name == "mlp" else images


def kd_loss(student_logits, teacher_logits, labels):
    """alpha * KL(softmax(t/T) || softmax(s/T)) * T^2 + (1 - alpha) * CE(s, y)."""
    t = TEMPERATURE
    distill = F.kl_div(
        F.log_softmax(student_logits / t, dim=1),
        F.softmax(teacher_logits / t, dim=1),
        reduction="batchmean",
    )
    hard = F.cross_entropy(student_logits, labels)
    return ALPHA * distill * t * t + (1.0 - ALPHA) * hard


def kd_train_step(model_name: str, device: torch.device):
    """One training step on a fixed batch: forward, KD loss, zero_grad, backward, Adam step."""
    model = MODELS[model_name]().to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    inputs = input_batch(model_name, TRAIN_BATCH).to(device)
    teacher_logits = torch.randn(TRAIN_BATCH, CLASSES).to(device)  # precomputed soft labels
    labels = torch.randint(0, CLASSES, (TRAIN_BATCH,)).to(device)

    def step():
        loss = kd_loss(model(inputs), teacher_logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step, TRAIN_BATCH


def infer_step(model_name: str, device: torch.device):
    """One forward pass in eval mode without autograd."""
    model = MODELS[model_name]().to(device).eval()
    inputs = input_batch(model_name, INFER_BATCH).to(device)

    def step():
        with torch.no_grad():
            model(inputs)

    return step, INFER_BATCH


CASES = {
    "kd_train_mlp": lambda device: kd_train_step("mlp", device),
    "kd_train_cnn": lambda device: kd_train_step("cnn", device),
    "infer_mlp": lambda device: infer_step("mlp", device),
    "infer_cnn": lambda device: infer_step("cnn", device),
}


def measure(case: str, seconds: float, device: torch.device) -> float:
    """Samples per second over whole iterations run for at least `seconds`, after warm-up."""
    torch.manual_seed(0)  # the same weights and batch for every run of a case
    step, batch = CASES[case](device)
    synchronize = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(WARMUP_ITERATIONS):
        step()
    synchronize()
    iterations = 0
    start = time.perf_counter()
    while True:
        step()
        iterations += 1
        synchronize()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return iterations * batch / elapsed


def loaded_blas() -> list:
    """Real paths of the BLAS libraries mapped into this process (after the cases ran)."""
    found = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.split(None, 5)[5].strip() if len(line.split(None, 5)) == 6 else ""
                name = os.path.basename(path)
                if ("blas" in name or "mkl_rt" in name) and os.path.exists(path):
                    real = os.path.realpath(path)
                    if real not in found:
                        found.append(real)
    except OSError:
        pass
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="intra-op threads, torch.set_num_threads (default: all cores)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="timed duration of each case after warm-up (default: 3)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object instead of one line per case")
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated subset of: " + ", ".join(CASES))
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    args = parser.parse_args(argv)

    cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error("unknown case(s) " + ", ".join(unknown) + "; known: " + ", ".join(CASES))
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    device = torch.device(args.device)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}
    for case in cases:
        results[case] = measure(case, args.seconds, device)
        if not args.json:
            print(f"pytorch: {case} {results[case]:.1f}", flush=True)
    if args.json:
        print(json.dumps({
            "threads": args.threads,
            "torch_version": torch.__version__,
            "device": device.type,
            "seconds": args.seconds,
            "cases": results,
            "blas": loaded_blas(),
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
