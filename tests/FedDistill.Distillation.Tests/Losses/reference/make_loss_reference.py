#!/usr/bin/python3
"""Writes loss_reference.json: inputs and PyTorch's outputs for the distillation-loss tests.

Each loss is written here the way its authors' code (or mdistiller, for FitNets, AT, RKD and
DKD) computes it, independently of the C# code. Every input is a literal below or a closed-form
formula (never a random generator), and both inputs and outputs go into the JSON, so the C#
tests read the very same numbers PyTorch saw. Regenerate with:

    /usr/bin/python3 tests/FedDistill.Distillation.Tests/Losses/reference/make_loss_reference.py

and commit loss_reference.json next to this script.
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
# mdistiller's DKD passes size_average=False to kl_div; keep it verbatim and silence the notice.
warnings.filterwarnings("ignore", message="size_average and reduce args will be deprecated")


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


def leaf(tensor):
    return tensor.clone().requires_grad_(True)


cases = {}

# ---- Hinton KD: alpha * T^2 * KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) * CE(s, y) ----
kd_student = t([[1.0, -0.5, 2.0, 0.3, -1.2], [0.1, 0.2, -0.3, 1.5, 0.0], [-2.0, 1.0, 0.5, 0.25, 3.0]])
kd_teacher = t([[2.5, -1.0, 1.0, 0.0, -2.0], [-0.5, 0.7, 0.2, 2.5, -1.0], [-1.0, 0.0, 1.5, -0.5, 2.0]])
kd_labels = t([2, 3, 4], torch.int64)
temperature, alpha = 4.0, 0.9
s = leaf(kd_student)
soft = F.kl_div(F.log_softmax(s / temperature, dim=1), F.softmax(kd_teacher / temperature, dim=1), reduction="batchmean") * temperature ** 2
loss = alpha * soft + (1 - alpha) * F.cross_entropy(s, kd_labels)
loss.backward()
cases["kd"] = {
    "student": enc(kd_student), "teacher": enc(kd_teacher), "labels": enc(kd_labels),
    "temperature": temperature, "alpha": alpha,
    "loss": enc(loss), "soft_only": enc(soft), "grad_student": enc(s.grad),
}

# ---- cross entropy with label smoothing ----
epsilon = 0.1
cases["label_smoothing_cross_entropy"] = {
    "logits": enc(kd_student), "labels": enc(kd_labels), "label_smoothing": epsilon,
    "loss": enc(F.cross_entropy(kd_student, kd_labels, label_smoothing=epsilon)),
}

# ---- FitNets hint: MSE between (regressed) student feature and teacher feature ----
hint_student = wave(2, 3, 4, 4, phase=0.2)
hint_teacher_same = wave(2, 3, 4, 4, phase=1.1, scale=1.5)
cases["hint_identity"] = {
    "student": enc(hint_student), "teacher": enc(hint_teacher_same),
    "loss": enc(F.mse_loss(hint_student, hint_teacher_same)),
}

hint_teacher_wide = wave(2, 5, 4, 4, phase=0.7, scale=1.5)
conv_weight = wave(5, 3, 1, 1, phase=0.4, scale=0.5)
conv_bias = t([0.1, -0.2, 0.05, 0.0, 0.3])
w, b = leaf(conv_weight), leaf(conv_bias)
loss = F.mse_loss(F.conv2d(hint_student, w, b), hint_teacher_wide)
loss.backward()
cases["hint_conv_regressor"] = {
    "student": enc(hint_student), "teacher": enc(hint_teacher_wide), "weight": enc(conv_weight), "bias": enc(conv_bias),
    "loss": enc(loss), "grad_weight": enc(w.grad), "grad_bias": enc(b.grad),
}

vector_student = wave(3, 6, phase=0.3)
vector_teacher = wave(3, 4, phase=2.0, scale=1.0)
linear_weight = wave(4, 6, phase=1.7, scale=0.4)
linear_bias = t([0.05, -0.1, 0.2, 0.0])
w, b = leaf(linear_weight), leaf(linear_bias)
loss = F.mse_loss(F.linear(vector_student, w, b), vector_teacher)
loss.backward()
cases["hint_linear_regressor"] = {
    "student": enc(vector_student), "teacher": enc(vector_teacher), "weight": enc(linear_weight), "bias": enc(linear_bias),
    "loss": enc(loss), "grad_weight": enc(w.grad), "grad_bias": enc(b.grad),
}


# ---- attention transfer, as mdistiller's single_stage_at_loss and the authors' at_loss ----
def at(x, p):
    return F.normalize(x.pow(p).mean(1).view(x.size(0), -1))


def at_loss(f_s, f_t, p):
    s_h, t_h = f_s.shape[2], f_t.shape[2]
    if s_h > t_h:
        f_s = F.adaptive_avg_pool2d(f_s, (t_h, t_h))
    elif s_h < t_h:
        f_t = F.adaptive_avg_pool2d(f_t, (s_h, s_h))
    return (at(f_s, p) - at(f_t, p)).pow(2).mean()


beta_at = 1000.0
at_student = wave(2, 3, 4, 4, phase=0.5)
at_teacher = wave(2, 5, 4, 4, phase=2.3, scale=1.2)
s = leaf(at_student)
loss = beta_at / 2 * at_loss(s, at_teacher, 2)
loss.backward()
cases["attention_transfer"] = {
    "student": enc(at_student), "teacher": enc(at_teacher), "beta": beta_at, "power": 2.0,
    "attention_student": enc(at(at_student, 2)), "loss": enc(loss), "grad_student": enc(s.grad),
}

at_student_large = wave(2, 3, 8, 8, phase=0.9)
cases["attention_transfer_pooled"] = {
    "student": enc(at_student_large), "teacher": enc(at_teacher), "beta": beta_at, "power": 2.0,
    "loss": enc(beta_at / 2 * at_loss(at_student_large, at_teacher, 2)),
}


# ---- relational KD, as the authors' RkdDistance / RKdAngle and mdistiller's rkd_loss ----
def pdist(e, squared=False, eps=1e-12):
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps)
    if not squared:
        res = res.sqrt()
    res = res.clone()
    res[range(len(e)), range(len(e))] = 0
    return res


def rkd_terms(student, teacher):
    stu = student.view(student.shape[0], -1)
    tea = teacher.view(teacher.shape[0], -1)
    with torch.no_grad():
        t_d = pdist(tea)
        t_d = t_d / t_d[t_d > 0].mean()
    d = pdist(stu)
    d = d / d[d > 0].mean()
    loss_d = F.smooth_l1_loss(d, t_d)
    with torch.no_grad():
        td = tea.unsqueeze(0) - tea.unsqueeze(1)
        norm_td = F.normalize(td, p=2, dim=2)
        t_angle = torch.bmm(norm_td, norm_td.transpose(1, 2)).view(-1)
    sd = stu.unsqueeze(0) - stu.unsqueeze(1)
    norm_sd = F.normalize(sd, p=2, dim=2)
    s_angle = torch.bmm(norm_sd, norm_sd.transpose(1, 2)).view(-1)
    loss_a = F.smooth_l1_loss(s_angle, t_angle)
    return loss_d, loss_a


rkd_student = t([[1.0, 0.5, -0.3, 2.0], [0.2, -1.0, 0.8, 0.1], [-0.7, 0.3, 1.5, -0.4], [2.2, 1.1, -0.9, 0.6], [0.0, -0.2, 0.4, -1.3]])
rkd_teacher = wave(5, 6, phase=0.8, scale=1.7)
s = leaf(rkd_student)
loss_d, loss_a = rkd_terms(s, rkd_teacher)
loss = 25.0 * loss_d + 50.0 * loss_a
loss.backward()
cases["rkd"] = {
    "student": enc(rkd_student), "teacher": enc(rkd_teacher), "distance_weight": 25.0, "angle_weight": 50.0,
    "distance_loss": enc(loss_d), "angle_loss": enc(loss_a), "loss": enc(loss), "grad_student": enc(s.grad),
}


# ---- decoupled KD, verbatim from mdistiller/distillers/DKD.py ----
def dkd_loss(logits_student, logits_teacher, target, alpha, beta, temperature):
    gt_mask = _get_gt_mask(logits_student, target)
    other_mask = _get_other_mask(logits_student, target)
    pred_student = F.softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    pred_student = cat_mask(pred_student, gt_mask, other_mask)
    pred_teacher = cat_mask(pred_teacher, gt_mask, other_mask)
    log_pred_student = torch.log(pred_student)
    tckd_loss = (
        F.kl_div(log_pred_student, pred_teacher, size_average=False)
        * (temperature**2)
        / target.shape[0]
    )
    pred_teacher_part2 = F.softmax(
        logits_teacher / temperature - 1000.0 * gt_mask, dim=1
    )
    log_pred_student_part2 = F.log_softmax(
        logits_student / temperature - 1000.0 * gt_mask, dim=1
    )
    nckd_loss = (
        F.kl_div(log_pred_student_part2, pred_teacher_part2, size_average=False)
        * (temperature**2)
        / target.shape[0]
    )
    return alpha * tckd_loss + beta * nckd_loss, tckd_loss, nckd_loss


def _get_gt_mask(logits, target):
    target = target.reshape(-1)
    mask = torch.zeros_like(logits).scatter_(1, target.unsqueeze(1), 1).bool()
    return mask


def _get_other_mask(logits, target):
    target = target.reshape(-1)
    mask = torch.ones_like(logits).scatter_(1, target.unsqueeze(1), 0).bool()
    return mask


def cat_mask(t, mask1, mask2):
    t1 = (t * mask1).sum(dim=1, keepdims=True)
    t2 = (t * mask2).sum(1, keepdims=True)
    rt = torch.cat([t1, t2], dim=1)
    return rt


dkd_student = t([[1.2, -0.4, 0.3, 2.0, -1.0, 0.5], [0.0, 1.5, -0.8, 0.4, 0.9, -0.2],
                 [-1.1, 0.6, 2.4, -0.3, 0.2, 1.0], [0.7, 0.7, -0.5, -1.5, 1.8, 0.1]])
dkd_teacher = t([[2.0, -1.0, 0.5, 3.5, -2.0, 0.0], [-0.5, 3.0, -1.0, 1.0, 0.5, -0.5],
                 [-2.0, 1.0, 4.0, -1.0, 0.0, 0.5], [0.0, 1.5, -1.0, -2.0, 2.5, 0.5]])
dkd_labels = t([3, 1, 2, 4], torch.int64)
for name, (temperature, alpha, beta) in {"dkd": (4.0, 1.0, 8.0), "dkd_custom": (2.0, 0.5, 2.0)}.items():
    s = leaf(dkd_student)
    loss, tckd, nckd = dkd_loss(s, dkd_teacher, dkd_labels, alpha, beta, temperature)
    loss.backward()
    cases[name] = {
        "student": enc(dkd_student), "teacher": enc(dkd_teacher), "labels": enc(dkd_labels),
        "temperature": temperature, "alpha": alpha, "beta": beta,
        "tckd": enc(tckd), "nckd": enc(nckd), "loss": enc(loss), "grad_student": enc(s.grad),
    }

output = {"generator": "make_loss_reference.py", "torch_version": torch.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_reference.json")
with open(path, "w") as handle:
    json.dump(output, handle, indent=1)
    handle.write("\n")
print(f"wrote {path}")
