#!/usr/bin/python3
"""The new user's case for FedDistill's defaults, and the plain PyTorch recipe it must match.

A PyTorch user brings a trained TorchScript teacher and an untrained TorchScript student and runs
`feddistill distill` with default settings (bench/FedDistill.Bench/DefaultsRun.cs does that). The
reference is what the same user would write in plain PyTorch with the same budget: Adam at 1e-3,
a constant rate, batch 128, Hinton's KD at T = 4 scaled by T^2 (soft term only: the public set is
unlabeled), on the same public examples, from the same initial student.

Two steps, both on Debian's python3-torch 1.13 and raw pixels in [0, 1] (transforms.ToTensor(),
the way most PyTorch code feeds Fashion-MNIST):

  models   trains the teacher CNN on the training images outside the public split, scripts it
           (teacher.pt), and scripts an untrained smaller CNN (student.pt)
  distill  distills student.pt from teacher.pt on the public split and prints the test accuracy

Run:
  /usr/bin/python3 bench/reference/defaults_reference.py models --public-indices FILE --out DIR
  /usr/bin/python3 bench/reference/defaults_reference.py distill --public-indices FILE --out DIR
FILE holds the public split's training-set indices, one per line (FedDistill's split, written by
`./run bench defaults`). Each step prints one `reference: key=value ...` line.
"""

import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA_DIR = os.environ.get("FEDDISTILL_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"
CLASSES = 10


def read_idx(path: str) -> np.ndarray:
    """An IDX file (gzip or plain) as a numpy array of its dimensions."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as stream:
        _, kind, dims = struct.unpack(">HBB", stream.read(4))
        if kind != 0x08:
            raise ValueError(f"{path}: element type {kind:#x}, expected unsigned bytes")
        shape = struct.unpack(">" + "I" * dims, stream.read(4 * dims))
        return np.frombuffer(stream.read(), dtype=np.uint8).reshape(shape)


def load(split: str):
    """Images [N, 1, 28, 28] as float32 in [0, 1] and labels [N] as int64."""
    def find(name):
        path = os.path.join(DATA_DIR, name)
        return path if os.path.exists(path) else path + ".gz"
    images = read_idx(find(f"{split}-images-idx3-ubyte"))
    labels = read_idx(find(f"{split}-labels-idx1-ubyte"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def make_teacher() -> nn.Module:
    """CNN 32-64-128 (421,642 parameters), with dropout before the classifier."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # -> [B, 32, 14, 14]
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # -> [B, 64, 7, 7]
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, CLASSES),
    )


def make_student() -> nn.Module:
    """Smaller CNN 8-16-64 (52,138 parameters)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # -> [B, 8, 14, 14]
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # -> [B, 16, 7, 7]
        nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU(),
        nn.Linear(64, CLASSES),
    )


@torch.no_grad()
def logits_of(model: nn.Module, x: torch.Tensor, batch: int = 1024) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return (logits_of(model, x).argmax(1) == y).float().mean().item()


def kd_loss(student_logits, teacher_logits, temperature: float) -> torch.Tensor:
    """Hinton's soft term: T^2 * KL(softmax(t/T) || softmax(s/T)), batch mean."""
    return F.kl_div(F.log_softmax(student_logits / temperature, 1), F.softmax(teacher_logits / temperature, 1),
                    reduction="batchmean") * temperature * temperature


def read_indices(path: str) -> torch.Tensor:
    with open(path) as stream:
        return torch.tensor([int(line) for line in stream if line.strip()], dtype=torch.long)


def models(args) -> int:
    torch.manual_seed(args.seed)
    x, y = load("train")
    x_test, y_test = load("t10k")
    public = read_indices(args.public_indices)
    private = torch.ones(len(x), dtype=torch.bool)
    private[public] = False
    x, y = x[private], y[private]
    teacher = make_teacher()
    optimizer = torch.optim.Adam(teacher.parameters(), lr=1e-3)
    start = time.time()
    for _ in range(args.teacher_epochs):
        teacher.train()
        for batch in torch.randperm(len(x)).split(args.batch_size):
            optimizer.zero_grad()
            F.cross_entropy(teacher(x[batch]), y[batch]).backward()
            optimizer.step()
    teacher.eval()
    teacher_accuracy = accuracy(teacher, x_test, y_test)
    os.makedirs(args.out, exist_ok=True)
    torch.jit.script(teacher).save(os.path.join(args.out, "teacher.pt"))
    torch.manual_seed(args.seed + 1)
    student = make_student().eval()
    torch.jit.script(student).save(os.path.join(args.out, "student.pt"))
    print(f"reference: step=models teacher_accuracy={teacher_accuracy:.4f} teacher_images={len(x)} "
          f"teacher_epochs={args.teacher_epochs} untrained_student_accuracy={accuracy(student, x_test, y_test):.4f} "
          f"seconds={time.time() - start:.1f}")
    return 0


def distill(args) -> int:
    torch.manual_seed(args.seed)
    x, _ = load("train")
    x_test, y_test = load("t10k")
    x_public = x[read_indices(args.public_indices)]
    teacher = torch.jit.load(os.path.join(args.out, "teacher.pt"))
    student = torch.jit.load(os.path.join(args.out, "student.pt"))
    targets = logits_of(teacher, x_public)
    optimizer = torch.optim.Adam(student.parameters(), lr=args.learning_rate)
    start = time.time()
    for _ in range(args.epochs):
        student.train()
        for batch in torch.randperm(len(x_public)).split(args.batch_size):
            optimizer.zero_grad()
            kd_loss(student(x_public[batch]), targets[batch], args.temperature).backward()
            optimizer.step()
    student.eval()
    print(f"reference: step=distill student_accuracy={accuracy(student, x_test, y_test):.4f} "
          f"teacher_accuracy={accuracy(teacher, x_test, y_test):.4f} public={len(x_public)} epochs={args.epochs} "
          f"batch_size={args.batch_size} learning_rate={args.learning_rate} temperature={args.temperature} "
          f"seconds={time.time() - start:.1f}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    for name in ("models", "distill"):
        step = steps.add_parser(name)
        step.add_argument("--public-indices", required=True, help="the public split's training-set indices, one per line")
        step.add_argument("--out", required=True, help="folder of teacher.pt and student.pt")
        step.add_argument("--seed", type=int, default=1)
        step.add_argument("--batch-size", type=int, default=128)
    steps.choices["models"].add_argument("--teacher-epochs", type=int, default=1)
    steps.choices["distill"].add_argument("--epochs", type=int, default=6)
    steps.choices["distill"].add_argument("--learning-rate", type=float, default=1e-3)
    steps.choices["distill"].add_argument("--temperature", type=float, default=4.0)
    args = parser.parse_args(argv)
    return models(args) if args.step == "models" else distill(args)


if __name__ == "__main__":
    sys.exit(main())
