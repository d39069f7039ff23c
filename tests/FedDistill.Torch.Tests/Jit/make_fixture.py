#!/usr/bin/python3
"""Writes the TorchScript fixtures of the Jit tests and PyTorch's outputs on a fixed input.

    conv_classifier.pt    Conv2d(1,4,3,padding=1) -> ReLU -> Flatten -> Linear(256,10), input [N,1,8,8]
    feature_classifier.pt forward returns {"features": [N,16], "logits": [N,3]}, input [N,1,8,8]
    fixture.json          the input, each model's outputs on it and its parameter names

Parameters come from torch.manual_seed(1234); the input is a closed-form formula. Regenerate with

    /usr/bin/python3 tests/FedDistill.Torch.Tests/Jit/make_fixture.py

and commit the .pt files and fixture.json next to this script.
"""
import json
import math
import os
from typing import Dict

import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))


class ConvClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.flatten(self.relu(self.conv(x))))


class FeatureClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU())
        self.head = nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        features = self.body(x)
        return {"features": features, "logits": self.head(features)}


def enc(tensor):
    tensor = tensor.detach()
    return {"shape": list(tensor.shape), "data": [float(v) for v in tensor.double().reshape(-1).tolist()]}


torch.manual_seed(1234)
conv = torch.jit.script(ConvClassifier().eval())
features = torch.jit.script(FeatureClassifier().eval())

# Two 8x8 single-channel images: round(sin(0.37 i) + 0.5 cos(0.11 i), 3).
values = [round(math.sin(0.37 * i) + 0.5 * math.cos(0.11 * i), 3) for i in range(2 * 64)]
x = torch.tensor(values, dtype=torch.float32).reshape(2, 1, 8, 8)
labels = [3, 7]

with torch.no_grad():
    conv_out = conv(x)
    feature_out = features(x)

conv.save(os.path.join(here, "conv_classifier.pt"))
features.save(os.path.join(here, "feature_classifier.pt"))

document = {
    "generator": "make_fixture.py",
    "torch_version": torch.__version__,
    "input": enc(x),
    "labels": labels,
    "conv_classifier": {
        "file": "conv_classifier.pt",
        "parameter_names": [name for name, _ in conv.named_parameters()],
        "output": enc(conv_out),
    },
    "feature_classifier": {
        "file": "feature_classifier.pt",
        "parameter_names": [name for name, _ in features.named_parameters()],
        "output_names": list(feature_out.keys()),
        "features": enc(feature_out["features"]),
        "logits": enc(feature_out["logits"]),
    },
}
with open(os.path.join(here, "fixture.json"), "w", encoding="utf-8") as handle:
    json.dump(document, handle, indent=1)
    handle.write("\n")
for name in ("conv_classifier.pt", "feature_classifier.pt"):
    print(name, os.path.getsize(os.path.join(here, name)), "bytes")
