#!/usr/bin/env python3
"""Reference values for the privacy accountant tests, computed independently of the C# code with
the formulas of the published analysis code (pure Python: tensorflow_privacy and scipy are absent
here). Run: /usr/bin/python3 privacy_reference.py > privacy_reference.json

- compute_rdp(q=1, sigma, steps, orders) of TF-Privacy's rdp_accountant: without subsampling the
  RDP of `steps` Gaussian mechanisms with noise multiplier sigma is steps * order / (2 sigma^2).
- get_privacy_spent: the classic conversion (Mironov 2017, Prop. 3) and the improved one of
  TF-Privacy's current accountant (Canonne, Kamath, Steinke 2020).
- PATE's GNMax analysis (Papernot et al. 2018; the authors' pate/core.py): compute_logq_gaussian
  and rdp_gaussian (Theorem 6 with Proposition 10's orders), using math.erfc for norm.logsf.
"""
import json
import math


def default_orders():
    # Must equal RenyiAccountant.DefaultOrders.
    return ([1 + x / 10.0 for x in range(1, 100)] + [float(o) for o in range(11, 64)]
            + [64.0, 80.0, 96.0, 128.0, 160.0, 192.0, 256.0, 320.0, 384.0, 512.0, 640.0, 768.0,
               1024.0, 1536.0, 2048.0, 3072.0, 4096.0])


def compute_rdp_no_sampling(sigma, steps, orders):
    return [steps * a / (2 * sigma ** 2) for a in orders]


def eps_classic(orders, rdp, delta):
    eps = [r - math.log(delta) / (a - 1) for a, r in zip(orders, rdp)]
    i = min(range(len(eps)), key=lambda j: eps[j])
    return max(0.0, eps[i]), orders[i]


def eps_improved(orders, rdp, delta):
    eps = []
    for a, r in zip(orders, rdp):
        if a > 1.01:
            eps.append(r + math.log1p(-1 / a) - math.log(delta * a) / (a - 1))
        else:
            eps.append(math.inf)
    i = min(range(len(eps)), key=lambda j: eps[j])
    return max(0.0, eps[i]), orders[i]


def norm_logsf(x, scale):
    return math.log(0.5 * math.erfc(x / (scale * math.sqrt(2))))


def logsumexp(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def log1mexp(x):
    if x < -1:
        return math.log1p(-math.exp(x))
    elif x < 0:
        return math.log(-math.expm1(x))
    return -math.inf


def compute_logq_gaussian(counts, sigma):
    n = len(counts)
    idx_max = max(range(n), key=lambda i: counts[i])
    rest = [counts[idx_max] - counts[i] for i in range(n) if i != idx_max]
    logq = logsumexp([norm_logsf(c, math.sqrt(2 * sigma ** 2)) for c in rest])
    return min(logq, math.log(1 - 1 / n))


def rdp_gaussian(logq, sigma, orders):
    variance = sigma ** 2
    mu_hi2 = math.sqrt(variance * -logq)
    mu_hi1 = mu_hi2 + 1
    ret = [a / variance for a in orders]
    rdp_hi1 = mu_hi1 / variance
    rdp_hi2 = mu_hi2 / variance
    log_a2 = (mu_hi2 - 1) * rdp_hi2
    mask = [mu_hi1 > a and mu_hi2 > 1 for a in orders]
    if (any(mask) and logq <= log_a2 - mu_hi2 * (math.log(1 + 1 / (mu_hi1 - 1)) + math.log(1 + 1 / (mu_hi2 - 1)))
            and -logq > rdp_hi2):
        log1q = log1mexp(logq)
        for i, a in enumerate(orders):
            if not mask[i]:
                continue
            log_a = (a - 1) * (log1q - log1mexp((logq + rdp_hi2) * (1 - 1 / mu_hi2)))
            log_b = (a - 1) * (rdp_hi1 - logq / (mu_hi1 - 1))
            x, y = log1q + log_a, logq + log_b
            m = max(x, y)
            s = m + math.log(math.exp(x - m) + math.exp(y - m))
            ret[i] = min(ret[i], s / (a - 1))
    return ret


def main():
    orders = default_orders()
    out = {"orders": orders, "conversions": [], "gnmax": [], "erfc": []}
    for sigma, steps, delta in [(1.0, 1, 1e-5), (1.1, 100, 1e-5), (4.0, 1000, 1e-6), (40.0, 500, 1e-5), (100.0, 200, 1e-5), (0.8, 10, 1e-3)]:
        rdp = compute_rdp_no_sampling(sigma, steps, orders)
        e1, o1 = eps_classic(orders, rdp, delta)
        e2, o2 = eps_improved(orders, rdp, delta)
        out["conversions"].append({"sigma": sigma, "steps": steps, "delta": delta,
                                   "classic_epsilon": e1, "classic_order": o1,
                                   "improved_epsilon": e2, "improved_order": o2})
    check_orders = [1.5, 2.0, 5.0, 10.0, 20.0, 50.0]
    for counts, sigma in [([200, 20, 10, 5, 5, 3, 2, 2, 2, 1], 40.0), ([120, 100, 30, 0, 0, 0, 0, 0, 0, 0], 40.0),
                          ([250, 0, 0, 0, 0, 0, 0, 0, 0, 0], 20.0), ([30, 20], 5.0), ([80, 60, 10], 10.0)]:
        logq = compute_logq_gaussian(counts, sigma)
        out["gnmax"].append({"votes": counts, "sigma": sigma, "logq": logq, "orders": check_orders,
                             "rdp": rdp_gaussian(logq, sigma, check_orders)})
    for x in [0.0, 0.1, 0.3, 0.49, 0.5, 0.7, 1.0, 2.0, 3.5, 5.0, 10.0, 20.0, 26.0]:
        out["erfc"].append({"x": x, "log_erfc": math.log(math.erfc(x))})
    print(json.dumps(out, indent=1))


main()
