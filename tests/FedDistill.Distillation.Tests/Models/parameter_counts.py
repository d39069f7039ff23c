"""Parameter counts of the model zoo, built with PyTorch layer for layer as the C# models are.

Run with Debian's python3-torch:  python3 parameter_counts.py > parameter_counts.txt
ModelZooParameterCountTests checks the C# models against these numbers.
"""
import torch
from torch import nn


class Mlp(nn.Module):
    def __init__(self, inputs, hidden, classes):
        super().__init__()
        layers, width = [nn.Flatten()], inputs
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, classes))
        self.layers = nn.Sequential(*layers)


class SmallCnn(nn.Module):
    def __init__(self, channels=1, classes=10, c1=16, c2=32, hidden=128, size=28):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.fc1 = nn.Linear(c2 * (size // 4) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, classes)


class LeNet5(nn.Module):
    def __init__(self, channels, classes, size):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        side = (size // 2 - 4) // 2
        self.fc1 = nn.Linear(16 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.fc1(x.flatten(1)))
        return self.fc3(torch.relu(self.fc2(x)))


class Block(nn.Module):
    """The basic block with a 1x1 convolution + batch norm shortcut when the shape changes (option B)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))


class ResNetCifar(nn.Module):
    def __init__(self, n, channels, classes, width=1):
        super().__init__()
        widths = [16 * width, 32 * width, 64 * width]
        self.conv1 = nn.Conv2d(channels, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        cin = widths[0]
        for stage, (cout, stride) in enumerate(zip(widths, [1, 2, 2]), start=1):
            blocks = []
            for i in range(n):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
            setattr(self, f"layer{stage}", nn.Sequential(*blocks))
        self.fc = nn.Linear(widths[2], classes)


def count(model):
    return sum(p.numel() for p in model.parameters())


cases = [
    ("mlp 784-256-128-10", Mlp(784, [256, 128], 10)),
    ("small-cnn 1ch 28 (16,32,128)", SmallCnn()),
    ("small-cnn 3ch 32 (16,32,128)", SmallCnn(channels=3, size=32)),
    ("lenet5 1ch 28", LeNet5(1, 10, 28)),
    ("lenet5 3ch 32", LeNet5(3, 10, 32)),
    ("resnet8 3ch w1", ResNetCifar(1, 3, 10)),
    ("resnet20 3ch w1", ResNetCifar(3, 3, 10)),
    ("resnet20 1ch w1", ResNetCifar(3, 1, 10)),
    ("resnet8 1ch w2", ResNetCifar(1, 1, 10, 2)),
]
for name, model in cases:
    print(f"{name}: {count(model)}")

# Option A (identity shortcuts padded with zeros, no parameters) gives the paper's 0.27M without
# the projections: 272,474 - (16*32 + 2*32) - (32*64 + 2*64) = 269,722.
