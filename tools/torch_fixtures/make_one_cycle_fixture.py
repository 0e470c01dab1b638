#!/usr/bin/python3
"""Generate the PyTorch reference fixture for the OneCycle learning-rate schedule.

Run from the repository root with the *system* Python (Debian's python3-torch):

    /usr/bin/python3 tools/torch_fixtures/make_one_cycle_fixture.py

Writes tests/LstmSharp.Tests/Fixtures/torch/one_cycle.json, then re-reads it
and checks it (see `self_check`). The C# tests (OneCycleTests) only read the
JSON; they never need torch.

For every case an optimizer over one parameter is driven by
torch.optim.lr_scheduler.OneCycleLR for total_steps steps; before each
optimizer.step() the script records param_groups[0]['lr'] and, when the
momentum is cycled, the momentum (betas[0] for Adam/AdamW, 'momentum' for
SGD). So rates[t] and momenta[t] are what optimizer step t (from 0) uses.

Every number the C# side passes as a float (max_lr, div_factor,
final_div_factor, base_momentum, max_momentum, beta2, eps, the start values and
the gradients) is float32-exact, so both sides start from the same numbers;
pct_start is a double on both sides.

Trajectory cases also store the parameter after every step (float64 torch on
float32-exact gradients drawn uniform in [-1, 1) after torch.manual_seed(seed)),
so the tests check that the optimizer takes the cycled momentum as PyTorch does
(Adam's bias correction with the current beta1).

The self-check re-reads the file and recomputes every rate and momentum with a
hand-written version of the 1cycle formulas (not torch's code) and every
trajectory with a hand-written Adam / SGD loop in Python floats.
"""

import math
import os
import sys

import torch

from fixture_json import check_f32_exact, dumps, floats, max_diff, uniform_f32

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_PATH = os.path.join(REPO_ROOT, "tests", "LstmSharp.Tests", "Fixtures", "torch", "one_cycle.json")

DESCRIPTION = ("torch.optim.lr_scheduler.OneCycleLR rates and momenta per optimizer step, torch %s; "
               "written by tools/torch_fixtures/make_one_cycle_fixture.py")


def f32(v):
    return float(torch.tensor(v, dtype=torch.float32).item())


# name, optimizer, seed, total_steps, max_lr, pct_start, anneal, three_phase, div, final_div,
# cycle_momentum, base_momentum, max_momentum, trajectory
CASES = [
    ("adam_cos", "Adam", 1, 100, f32(0.01), 0.3, "cos", False, 25.0, 1e4, True, f32(0.85), f32(0.95), False),
    ("sgd_linear", "SGD", 2, 37, f32(0.1), 0.25, "linear", False, 10.0, 100.0, True, f32(0.8), f32(0.9), False),
    ("adam_three_phase", "Adam", 3, 50, f32(0.003), 0.3, "cos", True, 25.0, 1e4, True, f32(0.85), f32(0.95), False),
    ("adamw_short", "AdamW", 4, 7, f32(0.02), 0.4, "cos", False, 5.0, 1e3, True, f32(0.85), f32(0.95), False),
    ("adagrad_no_momentum", "Adagrad", 5, 20, f32(0.05), 0.35, "linear", True, 25.0, 1e4, False, f32(0.85), f32(0.95), False),
    ("adam_trajectory", "Adam", 6, 12, f32(0.05), 0.3, "cos", False, 25.0, 1e4, True, f32(0.85), f32(0.95), True),
    ("sgd_trajectory", "SGD", 7, 12, f32(0.05), 0.3, "linear", False, 25.0, 1e4, True, f32(0.8), f32(0.95), True),
]

BETA2 = f32(0.999)
EPS = f32(1e-7)
SGD_MOMENTUM = f32(0.9)


def make_optimizer(kind, params):
    if kind == "Adam":
        return torch.optim.Adam(params, lr=1.0, betas=(0.9, BETA2), eps=EPS)
    if kind == "AdamW":
        return torch.optim.AdamW(params, lr=1.0, betas=(0.9, BETA2), eps=EPS, weight_decay=0.0)
    if kind == "SGD":
        return torch.optim.SGD(params, lr=1.0, momentum=SGD_MOMENTUM)
    return torch.optim.Adagrad(params, lr=1.0)


def make_case(name, kind, seed, total, max_lr, pct, anneal, three, div, final_div, cycle, base_m, max_m, trajectory):
    torch.manual_seed(seed)
    start = uniform_f32(3)
    grads = uniform_f32(total, 3)
    w = torch.nn.Parameter(start.double().clone())
    opt = make_optimizer(kind, [w])
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=max_lr, total_steps=total, pct_start=pct, anneal_strategy=anneal, cycle_momentum=cycle,
        base_momentum=base_m, max_momentum=max_m, div_factor=div, final_div_factor=final_div, three_phase=three)
    rates, momenta, weights = [], [], []
    for t in range(total):
        group = opt.param_groups[0]
        rates.append(group["lr"])
        if cycle:
            momenta.append(group["betas"][0] if "betas" in group else group["momentum"])
        w.grad = grads[t].double().clone()
        opt.step()
        sched.step()
        weights.extend(floats(w))
    case = {"name": name, "optimizer": kind, "total_steps": total, "max_lr": max_lr, "pct_start": pct,
            "anneal": anneal, "three_phase": three, "div_factor": div, "final_div_factor": final_div,
            "cycle_momentum": cycle, "base_momentum": base_m, "max_momentum": max_m, "rates": rates}
    if cycle:
        case["momenta"] = momenta
    if trajectory:
        case.update({"beta2": BETA2, "epsilon": EPS, "sgd_momentum": SGD_MOMENTUM,
                     "start": floats(start), "gradients": floats(grads), "weights": weights})
    return case


def hand_schedule(c):
    """The 1cycle formulas as PyTorch documents them, written independently of its code."""
    T, pct = c["total_steps"], c["pct_start"]
    peak = c["max_lr"]
    initial = peak / c["div_factor"]
    low = initial / c["final_div_factor"]
    hi_m, lo_m = c["max_momentum"], c["base_momentum"]
    if c["three_phase"]:
        ends = [pct * T - 1, 2 * pct * T - 2, T - 1]
        lr_points = [(initial, peak), (peak, initial), (initial, low)]
        m_points = [(hi_m, lo_m), (lo_m, hi_m), (hi_m, hi_m)]
    else:
        ends = [pct * T - 1, T - 1]
        lr_points = [(initial, peak), (peak, low)]
        m_points = [(hi_m, lo_m), (lo_m, hi_m)]

    def curve(a, b, p):
        if c["anneal"] == "cos":
            return b + (a - b) * (1 + math.cos(math.pi * p)) / 2
        return a + (b - a) * p

    rates, momenta = [], []
    for t in range(T):
        k = next((i for i, e in enumerate(ends) if t <= e), len(ends) - 1)
        begin = 0 if k == 0 else ends[k - 1]
        p = (t - begin) / (ends[k] - begin)
        rates.append(curve(*lr_points[k], p))
        momenta.append(curve(*m_points[k], p))
    return rates, momenta


def hand_trajectory(c):
    w = list(c["start"])
    m, v = [0.0] * 3, [0.0] * 3
    out = []
    for t in range(c["total_steps"]):
        lr, mom = c["rates"][t], c["momenta"][t]
        g = c["gradients"][3 * t:3 * t + 3]
        for i in range(3):
            if c["optimizer"] == "Adam":
                m[i] = mom * m[i] + (1 - mom) * g[i]
                v[i] = c["beta2"] * v[i] + (1 - c["beta2"]) * g[i] * g[i]
                denom = math.sqrt(v[i]) / math.sqrt(1 - c["beta2"] ** (t + 1)) + c["epsilon"]
                w[i] -= lr / (1 - mom ** (t + 1)) * m[i] / denom
            else:
                m[i] = g[i] if t == 0 else mom * m[i] + g[i]
                w[i] -= lr * m[i]
        out.extend(w)
    return out


def self_check(doc):
    import json
    with open(OUT_PATH, encoding="utf-8") as f:
        back = json.load(f)
    assert back == doc
    worst = 0.0
    for c in back["cases"]:
        for key in ("max_lr", "div_factor", "final_div_factor", "base_momentum", "max_momentum"):
            check_f32_exact(c["name"] + "." + key, [c[key]])
        rates, momenta = hand_schedule(c)
        assert len(c["rates"]) == c["total_steps"]
        worst = max(worst, max_diff(rates, c["rates"]) / c["max_lr"])
        if c["cycle_momentum"]:
            worst = max(worst, max_diff(momenta, c["momenta"]))
        if "weights" in c:
            check_f32_exact(c["name"] + ".gradients", c["gradients"])
            worst = max(worst, max_diff(hand_trajectory(c), c["weights"]))
    assert worst < 1e-12, worst
    return worst


def main():
    torch.set_num_threads(1)
    doc = {"description": DESCRIPTION % torch.__version__, "cases": [make_case(*c) for c in CASES]}
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write(dumps(doc))
    worst = self_check(doc)
    size = os.path.getsize(OUT_PATH)
    assert size < 200 * 1024, size
    print("torch", torch.__version__)
    print("%s %d bytes  max|hand-written formulas diff|=%.1e" % (os.path.relpath(OUT_PATH, REPO_ROOT), size, worst))


if __name__ == "__main__":
    sys.exit(main())
