#!/usr/bin/python3
"""Writes reference.json: inputs and PyTorch's outputs for the binding's numeric tests.

Every input is written literally below (or by a closed-form formula, never by a random
generator), and both inputs and outputs go into the JSON, so the C# tests read the very same
numbers PyTorch saw. Regenerate with:

    /usr/bin/python3 tests/FedDistill.Torch.Tests/Reference/make_reference.py

and commit reference.json next to this script.
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
# kl_div's reduction='mean' is covered on purpose; its deprecation notice is noise here.
warnings.filterwarnings("ignore", message="reduction: 'mean'")


def t(value, dtype=torch.float32):
    """A tensor from a nested literal list."""
    return torch.tensor(value, dtype=dtype)


def wave(*shape, phase=0.0, scale=2.0):
    """Deterministic, irregular-looking values: round(scale * sin(0.7 i + phase), 3), row-major."""
    n = math.prod(shape)
    values = [round(scale * math.sin(0.7 * i + phase), 3) for i in range(n)]
    return torch.tensor(values, dtype=torch.float32).reshape(*shape)


def enc(tensor):
    """A tensor as {shape, dtype, data} with data flattened row-major."""
    tensor = tensor.detach()
    if tensor.dtype in (torch.int64, torch.int32):
        data = [int(v) for v in tensor.reshape(-1).tolist()]
    else:
        data = [float(v) for v in tensor.double().reshape(-1).tolist()]
    return {"shape": list(tensor.shape), "dtype": str(tensor.dtype).replace("torch.", ""), "data": data}


cases = {}

# ---- matmul with broadcasting: [2,1,2,3] @ [3,3,2] -> [2,3,2,2]; matrix @ vector ----
a = wave(2, 1, 2, 3, phase=0.1)
b = wave(3, 3, 2, phase=1.3)
v = t([0.5, -1.0, 2.0])
m = t([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]])
cases["matmul_broadcast"] = {"a": enc(a), "b": enc(b), "out": enc(a @ b)}
cases["matmul_matrix_vector"] = {"a": enc(m), "b": enc(v), "out": enc(m @ v)}

# ---- softmax / log_softmax ----
x = t([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 10.0, -3.5]])
cases["softmax"] = {
    "x": enc(x),
    "softmax_dim1": enc(F.softmax(x, dim=1)),
    "softmax_dim0": enc(F.softmax(x, dim=0)),
    "log_softmax_dim1": enc(F.log_softmax(x, dim=1)),
}

# ---- cross entropy, nll ----
logits = t([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-1.5, 3.0, 0.0], [1.0, 1.0, 4.0]])
target = t([0, 2, 1, 0], dtype=torch.int64)
class_weights = t([1.0, 2.0, 0.5])
prob_target = t([[0.7, 0.2, 0.1], [0.0, 0.0, 1.0], [0.25, 0.5, 0.25], [0.1, 0.1, 0.8]])
cases["cross_entropy"] = {
    "logits": enc(logits),
    "target": enc(target),
    "class_weights": enc(class_weights),
    "prob_target": enc(prob_target),
    "mean": enc(F.cross_entropy(logits, target)),
    "sum": enc(F.cross_entropy(logits, target, reduction="sum")),
    "none": enc(F.cross_entropy(logits, target, reduction="none")),
    "label_smoothing_0_1": enc(F.cross_entropy(logits, target, label_smoothing=0.1)),
    "weighted": enc(F.cross_entropy(logits, target, weight=class_weights)),
    "weighted_label_smoothing_0_1": enc(F.cross_entropy(logits, target, weight=class_weights, label_smoothing=0.1)),
    "prob_target_mean": enc(F.cross_entropy(logits, prob_target)),
    "prob_target_label_smoothing_0_1": enc(F.cross_entropy(logits, prob_target, label_smoothing=0.1)),
}
log_probabilities = F.log_softmax(logits, dim=1)
cases["nll_loss"] = {
    "log_probabilities": enc(log_probabilities),
    "target": enc(target),
    "class_weights": enc(class_weights),
    "mean": enc(F.nll_loss(log_probabilities, target)),
    "weighted": enc(F.nll_loss(log_probabilities, target, weight=class_weights)),
    "none": enc(F.nll_loss(log_probabilities, target, reduction="none")),
}

# ---- KL divergence ----
student_logits = t([[1.0, 0.0, -1.0, 0.5], [0.3, 0.3, 0.3, 0.3], [-2.0, 1.0, 0.0, 2.0]])
teacher = t([[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4], [0.05, 0.15, 0.3, 0.5]])
student_log = F.log_softmax(student_logits, dim=1)
teacher_log = teacher.log()
cases["kl_div"] = {
    "input": enc(student_log),
    "target": enc(teacher),
    "log_target": enc(teacher_log),
    "batchmean": enc(F.kl_div(student_log, teacher, reduction="batchmean")),
    "sum": enc(F.kl_div(student_log, teacher, reduction="sum")),
    "mean": enc(F.kl_div(student_log, teacher, reduction="mean")),
    "none": enc(F.kl_div(student_log, teacher, reduction="none")),
    "log_target_batchmean": enc(F.kl_div(student_log, teacher_log, reduction="batchmean", log_target=True)),
}

# ---- MSE, cosine similarity, cdist ----
p = t([[1.0, 2.0, 3.0], [0.5, -0.5, 4.0]])
q = t([[1.5, 1.0, 3.0], [0.0, 0.0, 2.0]])
cases["mse"] = {"input": enc(p), "target": enc(q),
                "mean": enc(F.mse_loss(p, q)), "sum": enc(F.mse_loss(p, q, reduction="sum")),
                "none": enc(F.mse_loss(p, q, reduction="none"))}
ca = wave(3, 4, phase=0.2)
cb = wave(3, 4, phase=2.9)
cases["cosine_similarity"] = {"a": enc(ca), "b": enc(cb), "dim1": enc(F.cosine_similarity(ca, cb, dim=1)),
                              "dim0": enc(F.cosine_similarity(ca, cb, dim=0))}
da = wave(3, 4, phase=0.4)
db = wave(2, 4, phase=1.9)
cases["cdist"] = {"a": enc(da), "b": enc(db), "out": enc(torch.cdist(da, db))}

# ---- convolution and pooling ----
image = wave(2, 2, 5, 5, phase=0.3)
kernel = wave(3, 2, 3, 3, phase=1.1, scale=0.5)
bias = t([0.1, -0.2, 0.3])
cases["conv2d"] = {
    "input": enc(image), "weight": enc(kernel), "bias": enc(bias),
    "stride2_padding1": enc(F.conv2d(image, kernel, bias, stride=2, padding=1)),
    "stride1_padding0_nobias": enc(F.conv2d(image, kernel)),
}
pool_input = wave(1, 2, 5, 5, phase=0.6)
cases["pooling"] = {
    "input": enc(pool_input),
    "max_k2": enc(F.max_pool2d(pool_input, 2)),
    "max_k3_s2_p1": enc(F.max_pool2d(pool_input, 3, stride=2, padding=1)),
    "avg_k2": enc(F.avg_pool2d(pool_input, 2)),
    "avg_k3_s2_p1": enc(F.avg_pool2d(pool_input, 3, stride=2, padding=1)),
}
adaptive_input = wave(1, 2, 5, 7, phase=0.8)
cases["adaptive_avg_pool2d"] = {"input": enc(adaptive_input),
                                "out_2x3": enc(F.adaptive_avg_pool2d(adaptive_input, (2, 3))),
                                "out_1x1": enc(F.adaptive_avg_pool2d(adaptive_input, (1, 1)))}

# ---- batch norm: training (with the running statistics it leaves behind) and evaluation ----
bn_input = wave(4, 3, 2, 2, phase=0.5)
bn_weight = t([1.0, 0.5, 2.0])
bn_bias = t([0.0, 0.1, -0.3])
running_mean = t([0.1, 0.2, 0.3])
running_var = t([1.0, 2.0, 0.5])
train_mean, train_var = running_mean.clone(), running_var.clone()
train_out = F.batch_norm(bn_input, train_mean, train_var, bn_weight, bn_bias, training=True, momentum=0.1, eps=1e-5)
eval_out = F.batch_norm(bn_input, running_mean, running_var, bn_weight, bn_bias, training=False, momentum=0.1, eps=1e-5)
cases["batch_norm"] = {
    "input": enc(bn_input), "weight": enc(bn_weight), "bias": enc(bn_bias),
    "running_mean": enc(running_mean), "running_var": enc(running_var),
    "momentum": 0.1, "eps": 1e-5,
    "train_out": enc(train_out), "train_running_mean": enc(train_mean), "train_running_var": enc(train_var),
    "eval_out": enc(eval_out),
}

# ---- layer norm, gelu ----
ln_input = wave(2, 3, 4, phase=0.9)
ln_weight = t([1.0, 2.0, 0.5, -1.0])
ln_bias = t([0.0, 0.5, -0.5, 1.0])
cases["layer_norm"] = {
    "input": enc(ln_input), "weight": enc(ln_weight), "bias": enc(ln_bias),
    "last_dim_affine": enc(F.layer_norm(ln_input, [4], ln_weight, ln_bias, eps=1e-5)),
    "last_two_dims_plain": enc(F.layer_norm(ln_input, [3, 4], eps=1e-5)),
}
gelu_input = t([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
cases["gelu"] = {"input": enc(gelu_input), "out": enc(F.gelu(gelu_input))}

# ---- top-k, variance, standard deviation ----
topk_input = t([[0.5, 3.0, -1.0, 2.0, 1.5], [9.0, -2.0, 4.0, 0.0, 4.5]])
largest = torch.topk(topk_input, 3, dim=1, largest=True)
smallest = torch.topk(topk_input, 2, dim=1, largest=False)
cases["topk"] = {"input": enc(topk_input),
                 "largest3_values": enc(largest.values), "largest3_indices": enc(largest.indices),
                 "smallest2_values": enc(smallest.values), "smallest2_indices": enc(smallest.indices)}
var_input = t([[1.0, 2.0, 4.0, 7.0], [-1.0, 0.5, 0.5, 3.0], [2.0, 2.0, 2.0, 2.0]])
cases["var_std"] = {"input": enc(var_input),
                    "var_dim1": enc(torch.var(var_input, dim=1)), "std_dim1": enc(torch.std(var_input, dim=1)),
                    "var_dim0": enc(torch.var(var_input, dim=0)),
                    "var_all": enc(torch.var(var_input)), "std_all": enc(torch.std(var_input))}

# ---- optimizers: 5 steps on loss = sum((W x + b - y)^2) from fixed parameters ----
W0 = t([[0.5, -0.3, 0.8], [0.1, 0.9, -0.4]])
b0 = t([0.2, -0.1])
ox = t([1.0, 2.0, -1.0])
oy = t([0.5, -1.5])


def trajectory(make):
    W = W0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    optimizer = make([W, b])
    steps = []
    for _ in range(5):
        optimizer.zero_grad(set_to_none=True)
        loss = ((W @ ox + b - oy) ** 2).sum()
        loss.backward()
        optimizer.step()
        steps.append({"weight": enc(W), "bias": enc(b)})
    return steps


optimizer_settings = {
    "adam": {"lr": 0.1, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adam_weight_decay_amsgrad": {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-8, "weight_decay": 0.1, "amsgrad": True},
    "adamw": {"lr": 0.1, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1, "amsgrad": False},
    "sgd_nesterov": {"lr": 0.02, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.01, "nesterov": True},
    "sgd_momentum_dampening": {"lr": 0.02, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.0, "nesterov": False},
}
factories = {
    "adam": lambda ps, s: torch.optim.Adam(ps, lr=s["lr"], betas=tuple(s["betas"]), eps=s["eps"], weight_decay=s["weight_decay"], amsgrad=s["amsgrad"]),
    "adam_weight_decay_amsgrad": lambda ps, s: torch.optim.Adam(ps, lr=s["lr"], betas=tuple(s["betas"]), eps=s["eps"], weight_decay=s["weight_decay"], amsgrad=s["amsgrad"]),
    "adamw": lambda ps, s: torch.optim.AdamW(ps, lr=s["lr"], betas=tuple(s["betas"]), eps=s["eps"], weight_decay=s["weight_decay"], amsgrad=s["amsgrad"]),
    "sgd_nesterov": lambda ps, s: torch.optim.SGD(ps, lr=s["lr"], momentum=s["momentum"], dampening=s["dampening"], weight_decay=s["weight_decay"], nesterov=s["nesterov"]),
    "sgd_momentum_dampening": lambda ps, s: torch.optim.SGD(ps, lr=s["lr"], momentum=s["momentum"], dampening=s["dampening"], weight_decay=s["weight_decay"], nesterov=s["nesterov"]),
}
cases["optimizers"] = {
    "initial_weight": enc(W0), "initial_bias": enc(b0), "x": enc(ox), "y": enc(oy),
    "runs": {name: {"settings": settings, "steps": trajectory(lambda ps, f=factories[name], s=settings: f(ps, s))}
             for name, settings in optimizer_settings.items()},
}


# ---- learning-rate schedules: the rate used by each of 10 steps ----
def rates(make_scheduler, base=0.1, steps=10):
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=base)
    scheduler = make_scheduler(optimizer)
    used = []
    for _ in range(steps):
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return used


cases["schedules"] = {
    "step_lr": {"base": 0.1, "step_size": 3, "gamma": 0.5,
                "rates": rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5))},
    "cosine_annealing_lr": {"base": 0.1, "t_max": 10, "eta_min": 0.001,
                            "rates": rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001))},
}

document = {"generator": "make_reference.py", "torch_version": torch.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
with open(path, "w", encoding="utf-8") as handle:
    json.dump(document, handle, indent=1)
    handle.write("\n")
print(f"wrote {path}")
